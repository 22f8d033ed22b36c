"""Each section of the diary says what the brief requires, as a reader sees it on the page."""

import json
import re

import pytest
import yaml
from pybtex.database import parse_file
from selectolax.lexbor import LexborHTMLParser

from conftest import ROOT

DOCS = ROOT / "docs"

# page -> phrases a reader must find in its text (case-insensitive)
KEY_FACTS = {
    "index.html": ["research diary", "reference index", "contributions", "ashioyajotham.github.io",
                   "History of sequence modelling", "Essays", "Reading"],
    "history/index.html": ["bottleneck", "sequential", "hard to read", "hallucination"],
    "history/n-grams/index.html": ["Kneser-Ney", "Good-Turing", "Katz", "Shannon", "Markov",
                                   "anomaly detection", "speech recogni", "sparse"],
    "history/neural-language-models/index.html": ["Bengio et al., 2003", "softmax", "skip-gram",
                                                  "negative sampling", "Levy & Goldberg, 2014", "PMI",
                                                  "fixed window"],
    "history/rnns-and-lstms/index.html": ["vanishing gradient", "hidden state", "Hochreiter & Schmidhuber, 1997",
                                          "GRU", "sequential", "Bahdanau"],
    "history/attention-and-transformers/index.html": ["scaled dot-product attention", "queries", "keys",
                                                      "values", "Vaswani et al., 2017", "BERT", "GPT-2",
                                                      "parallel"],
    "essays/focus-areas/index.html": ["Alignment and safety", "Hallucination", "Interpretability",
                                      "Scaling", "World models", "emergen"],
    "essays/llm-ceiling-and-world-models/index.html": ["compression", "confabulat", "counterfactual",
                                                       "Schrittwieser et al., 2020", "Bardes et al., 2024",
                                                       "Assran et al., 2023", "Ha & Schmidhuber, 2018",
                                                       "components"],
    "essays/people-and-labs/index.html": ["Yann LeCun", "Dario Amodei", "Chris Olah", "Neel Nanda", "Janus",
                                          "Andrej Karpathy", "DeepMind", "OpenAI", "Anthropic",
                                          "Vice President of Research", "Alignment Forum", "LessWrong", "Pearl"],
    "essays/safety-issues/index.html": ["Specification", "reward", "Interpretability gaps",
                                        "distributional shift", "overhang", "misuse", "Scalable oversight"],
    "reading/index.html": ["Attention is all you need", "First favourites", "Exploiting novel GPT-4 APIs",
                           "Orca", "Cameron", "2312.14302", "2306.02707", "Bibliography"],
    "about/index.html": ["not open", "contributions", "ashioyajotham.github.io", "Errata"],
    "errata/index.html": ["Schmidhuber", "MuZero", "Schrittwieser", "V-JEPA", "Bardes", "I-JEPA",
                          "Assran", "energy-based", "VP of Research", "Alignment Forum", "Pearl"],
    "langchain/index.html": ["langchain-text-splitters", "BM25", "API key", "eight questions"],
    "finetuning/index.html": ["LoRA", "low-rank", "5,057 parameters", "synthetic"],
    "embeddings/index.html": ["PPMI", "singular value decomposition", "nearest", "100 dimensions"],
}
FILLER = re.compile(r"\b(TODO|TBD|lorem ipsum|coming soon|placeholder)\b", re.I)


def article_text(site, page):
    tree = LexborHTMLParser((site / page).read_text(encoding="utf-8"))
    return tree.css_first("article.md-content__inner").text()


@pytest.mark.build
@pytest.mark.parametrize("page", sorted(KEY_FACTS))
def test_page_carries_its_key_facts(built_site, page):
    text = article_text(built_site, page).lower()
    missing = [fact for fact in KEY_FACTS[page] if fact.lower() not in text]
    assert missing == []


@pytest.mark.build
@pytest.mark.parametrize("page", sorted(KEY_FACTS))
def test_page_is_written_not_stubbed(built_site, page):
    text = article_text(built_site, page)
    assert not FILLER.search(text)
    assert len(text.split()) >= 150


@pytest.mark.build
def test_the_attention_equation_is_on_the_page(built_site):
    tree = LexborHTMLParser((built_site / "history/attention-and-transformers/index.html").read_text())
    display = " ".join(node.text() for node in tree.css("div.arithmatex"))
    assert re.search(r"\\operatorname\{softmax\}\\left\(\\frac\{Q K\^\\top\}\{\\sqrt\{d_k\}\}\\right\) V", display)


@pytest.mark.build
def test_the_history_pages_carry_their_equations(built_site):
    for page in ("history/n-grams/index.html", "history/neural-language-models/index.html",
                 "history/rnns-and-lstms/index.html"):
        tree = LexborHTMLParser((built_site / page).read_text())
        assert len(tree.css("div.arithmatex")) >= 2, page


@pytest.mark.build
def test_the_seed_misspellings_are_gone_except_where_the_errata_quote_them(built_site):
    for html in built_site.rglob("*.html"):
        if html.parent.name == "errata":
            continue
        text = html.read_text(encoding="utf-8")
        assert "Schmidhuper" not in text and "Schaal" not in text, html


@pytest.mark.build
def test_the_history_timeline_figure_is_published(built_site):
    svg = (built_site / "history" / "timeline.svg").read_text()
    assert "<title" in svg and "Transformer" in svg and "Kneser-Ney" in svg
    page = (built_site / "history/index.html").read_text()
    assert 'src="timeline.svg"' in page


# Corrections a careful reader asked for: on each page, statements that must not come back and the
# papers that must be cited there (by citation key, however the style prints it).
CORRECTIONS = {
    "history/rnns-and-lstms/index.html": (
        [r"strongest models in machine translation", r"forget gate was added a few years after"],
        ["sutskever2014sequence", "gers2000learning", "cho2014learning", "wu2016google", "hinton2012deep"]),
    "history/attention-and-transformers/index.html": (
        [r"changed little between 2015 and 2017"],
        ["luong2015effective", "bahdanau2015neural", "vaswani2017attention"]),
    "history/neural-language-models/index.html": (
        [],
        ["bengio2003neural", "mikolov2013efficient", "mikolov2013distributed", "levy2014neural",
         "halko2011finding"]),
    "essays/people-and-labs/index.html": (
        [r"Their world-model line", r"publish what did not work", r"keeps the hype in check"],
        ["hafner2019planet", "hafner2020dream", "hubinger2024sleeper"]),
    "essays/llm-ceiling-and-world-models/index.html": (
        [r"There is no\s+internal variable", r"does not report uncertainty in any calibrated way"],
        ["li2023emergent", "nanda2023emergent", "kadavath2022language"]),
    "essays/safety-issues/index.html": (
        [r"Every deployed assistant is the product"],
        ["ouyang2022training"]),
    "langchain/index.html": ([r"TF-IDF with cosine", r"I vary chunk size"], []),
    "embeddings/index.html": ([r"a few dozen dimensions"], ["levy2014neural"]),
    "finetuning/index.html": ([r"the point at which a larger rank stops helping"], ["hu2022lora"]),
    "finetuning/lora-from-scratch/index.html": ([r"variance is about 2\.2"], []),
    "embeddings/count-based-word-vectors/index.html": (
        [r"the Halko, Martinsson and Tropp scheme\)"],
        ["halko2011finding", "mikolov2013distributed", "levy2015improving"]),
}


@pytest.mark.build
@pytest.mark.parametrize("page", sorted(CORRECTIONS))
def test_a_corrected_page_keeps_its_correction_and_cites_its_source(built_site, page):
    forbidden, cited = CORRECTIONS[page]
    tree = LexborHTMLParser((built_site / page).read_text(encoding="utf-8"))
    text = " ".join(tree.css_first("article.md-content__inner").text().split())
    assert [pattern for pattern in forbidden if re.search(pattern, text)] == []
    keys = {link.attributes["href"].removeprefix("#fn:") for link in tree.css("a.citation")}
    assert sorted(set(cited) - keys) == []


@pytest.mark.build
def test_the_word_vector_page_sits_between_n_grams_and_recurrent_networks_with_its_equations(built_site):
    html = (built_site / "history/neural-language-models/index.html").read_text(encoding="utf-8")
    tree = LexborHTMLParser(html)
    display = " ".join(node.text() for node in tree.css("div.arithmatex"))
    assert re.search(r"\\frac\{\\exp\\left\(y_i\\right\)\}\{\\sum_\{j=1\}\^\{\|V\|\}", display)  # softmax over V
    assert "\\log \\sigma" in display and "P_n(w) \\propto U(w)^{3/4}" in display  # SGNS
    assert "\\operatorname{PMI}(w, c) - \\log k" in display
    assert 'href="../../embeddings/count-based-word-vectors/"' in html
    previous = tree.css_first("a.md-footer__link--prev").attributes["href"]
    following = tree.css_first("a.md-footer__link--next").attributes["href"]
    assert previous.rstrip("/").endswith("n-grams") and following.rstrip("/").endswith("rnns-and-lstms")


def front_matter(path):
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1]) or {}


def notebook(path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.unit
def test_no_note_reports_on_a_notebook_dated_after_it():
    """Whatever notes exist: a note that links to a notebook is not dated before that notebook."""
    for note in sorted((DOCS / "notes/posts").glob("*.md")):
        created = front_matter(note)["date"]["created"]
        for target in re.findall(r"\]\(([^)\s]+\.ipynb)\)", note.read_text(encoding="utf-8")):
            linked = (note.parent / target).resolve()
            written = notebook(linked)["metadata"]["diary"]["date"]
            assert str(created) >= str(written), (note.name, target)


@pytest.mark.unit
def test_no_note_reports_an_untested_retrieval_failure_as_observed():
    for note in sorted((DOCS / "notes/posts").glob("*.md")):
        assert "Vocabulary mismatch defeats it outright" not in note.read_text(encoding="utf-8"), note.name


@pytest.mark.unit
def test_the_2017_proceedings_say_nips():
    """The conference took the name NeurIPS in 2018; a 2017 paper appeared at NIPS."""
    for key, entry in parse_file(str(DOCS / "references.bib")).entries.items():
        venue = entry.fields.get("booktitle", "")
        if "Neural Information Processing Systems" in venue and int(entry.fields["year"]) < 2018:
            assert "NIPS" in venue and "NeurIPS" not in venue, key


# Numbers quoted in prose, checked against the notebook outputs they quote: a re-run that prints
# something else fails here until the prose says it too.

def outputs(path):
    """Everything a notebook printed, as text."""
    texts = []
    for cell in notebook(path)["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            texts.append("".join(text))
    return "\n".join(texts)


def markdown_of(path):
    if path.suffix == ".md":
        return " ".join(path.read_text(encoding="utf-8").split())
    return " ".join(" ".join("".join(c["source"]) for c in notebook(path)["cells"]
                             if c["cell_type"] == "markdown").split())


def printed(path, pattern):
    match = re.search(pattern, outputs(path), re.MULTILINE)
    assert match, (path.name, pattern)
    return match.groups()


def said(path, pattern):
    match = re.search(pattern, markdown_of(path))
    assert match, (path.name, pattern)
    return tuple(group.replace(",", "").rstrip(".") for group in match.groups())


LORA = DOCS / "finetuning/lora-from-scratch.ipynb"
VECTORS = DOCS / "embeddings/count-based-word-vectors.ipynb"
RETRIEVAL = DOCS / "langchain/retrieval-over-the-diary.ipynb"


@pytest.mark.unit
def test_the_lora_numbers_in_prose_are_the_ones_the_notebook_prints():
    variance, = printed(LORA, r"target label variance ([\d.]+)")
    assert said(LORA, r"label variance is ([\d.]+)") == (variance,)
    parameters, = printed(LORA, r"^parameters: (\d+)")
    assert said(DOCS / "finetuning/index.md", r"MLP with ([\d,]+) parameters") == (parameters,)
    assert said(LORA, r"([\d,]+) parameters in total") == (parameters,)
    assert said(LORA, r"it is (\d+) numbers against ([\d,]+)") == (printed(LORA, r"unmerged: (\d+);")[0], parameters)
    table = {name.strip(): (count, final) for name, count, final in re.findall(
        r"^(no adaptation|head only|full fine-tuning|LoRA r=\d)\s+(\d+)\s+[\d.]+\s+(?:[\d.]+ ±[\d.]+)?\s*([\d.]+)",
        outputs(LORA), re.MULTILINE)}
    index = DOCS / "finetuning/index.md"
    assert said(index, r"unadapted model has a mean squared error of ([\d.]+)") == (table["no adaptation"][1],)
    assert said(index, r"was ([\d.]+) for full fine-tuning, ([\d.]+), ([\d.]+), ([\d.]+) and ([\d.]+) for LoRA"
                       r" at ranks 1, 2, 4 and 8, and ([\d.]+) again for the output layer") == tuple(
        table[name][1] for name in ("full fine-tuning", "LoRA r=1", "LoRA r=2", "LoRA r=4", "LoRA r=8", "head only"))
    assert said(index, r"ranks 1, 2, 4 and 8 \(([\d,]+), ([\d,]+), ([\d,]+) and ([\d,]+) trainable") == tuple(
        table[f"LoRA r={r}"][0] for r in (1, 2, 4, 8))
    assert said(index, r"the (\d+)-parameter output layer") == (table["head only"][0],)
    top_two = [f"{float(share):.0%}".rstrip("%") for share in
               re.findall(r"top 2 directions = ([\d.]+)", outputs(LORA))]
    assert said(index, r"only (\d+)% and (\d+)% of its squared norm") == tuple(top_two)


@pytest.mark.unit
def test_the_word_vector_numbers_in_prose_are_the_ones_the_notebook_prints():
    index = DOCS / "embeddings/index.md"
    k, = printed(VECTORS, r"^k = (\d+):")
    assert said(index, r"keeps (\d+) dimensions") == (k,)
    assert said(DOCS / "history/neural-language-models.md", r"keeps (\d+) dimensions of a truncated SVD") == (k,)
    documents, = printed(VECTORS, r"^documents\s+(\d+)")
    tokens, = printed(VECTORS, r"^tokens\s+(\d+)")
    assert said(index, r"([\d,]+) distinct docstrings and ([\d,]+) tokens") == (documents, tokens)
    vocabulary, = printed(VECTORS, r"^vocabulary \(top words\)\s+(\d+)")
    covered, = printed(VECTORS, r"^tokens covered by vocabulary\s+([\d.]+)%")
    assert said(index, r"the ([\d,]+) most frequent words, which cover ([\d.]+)% of the tokens") == (vocabulary, covered)
    groups = re.findall(r"^[a-z]+\s+([\d.]+)\s+([\d.]+)\s{3}", outputs(VECTORS), re.MULTILINE)
    within, between = [float(w) for w, _ in groups], [float(b) for _, b in groups]
    chance, = printed(VECTORS, r"random vocabulary words ([\d.]+)")
    assert said(index, r"from ([\d.]+) to ([\d.]+), against ([\d.]+) to ([\d.]+) to the other groups and ([\d.]+)") == (
        f"{min(within):.2f}", f"{max(within):.2f}", f"{min(between):.2f}", f"{max(between):.2f}", chance)
    explained, = printed(VECTORS, r"the two components explain (\d+)%")
    assert said(index, r"explain only (\d+)%") == (explained,)


@pytest.mark.unit
def test_the_retrieval_numbers_in_prose_are_the_ones_the_notebook_prints():
    index = DOCS / "langchain/index.md"
    pages = re.findall(r"^(?:essays|history)/\S+\.md\s+\d+", outputs(RETRIEVAL), re.MULTILINE)
    total, = printed(RETRIEVAL, r"^total\s+(\d+)")
    assert said(index, r"(\d+) pages and ([\d,]+) characters") == (str(len(pages)), total)
    plain, = printed(RETRIEVAL, r"^plain recursive\s+(\d+)\s")
    header, = printed(RETRIEVAL, r"^header-aware\s+(\d+)\s")
    assert said(index, r"\((\d+) chunks at the last run\)") == (plain,)
    assert said(index, r"nothing but a heading \((\d+) chunks\)") == (header,)
    hits = dict((name, (int(h1), int(h3))) for name, h1, h3 in re.findall(
        r"^(plain recursive|header-aware|header-aware \+ heading indexed)\s+(\d)/8\s+(\d)/8", outputs(RETRIEVAL),
        re.MULTILINE))
    assert hits["plain recursive"][1] == hits["header-aware"][1]  # the prose quotes one top-three figure for both
    expected = (hits["plain recursive"][0], hits["header-aware"][0], hits["header-aware"][1],
                hits["header-aware + heading indexed"][0])
    assert tuple(map(int, said(index, r"first for (\d) of 8 questions with plain chunks and (\d) of 8 with "
                                      r"header-aware ones, and was in the top three for (\d) of 8 with either\. "
                                      r"A third variant .* reached (\d) of 8 at rank one"))) == expected
    assert tuple(map(int, said(RETRIEVAL, r"put the labelled page first for (\d) of 8 questions and plain "
                                          r"splitting for (\d), both had it in the top three for (\d) of 8"))) == (
        hits["header-aware"][0], hits["plain recursive"][0], hits["header-aware"][1])
    assert int(said(RETRIEVAL, r"raised hit@1 to (\d) of 8")[0]) == hits["header-aware + heading indexed"][0]
    size, overlap = re.search(r"CHUNK_SIZE, CHUNK_OVERLAP = (\d+), (\d+)", RETRIEVAL.read_text()).groups()
    assert said(index, r"(\d+) characters with an overlap of (\d+)") == (size, overlap)
