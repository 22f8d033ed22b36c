"""Each section of the diary says what the brief requires, as a reader sees it on the page."""

import re

import pytest
from selectolax.lexbor import LexborHTMLParser

# page -> phrases a reader must find in its text (case-insensitive)
KEY_FACTS = {
    "index.html": ["research diary", "reference index", "contributions", "ashioyajotham.github.io",
                   "History of sequence modelling", "Essays", "Reading"],
    "history/index.html": ["bottleneck", "sequential", "hard to read", "hallucination"],
    "history/n-grams/index.html": ["Kneser-Ney", "Good-Turing", "Katz", "Shannon", "Markov",
                                   "anomaly detection", "speech recogni", "sparse"],
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
    "langchain/index.html": ["langchain-text-splitters", "BM25", "API key"],
    "finetuning/index.html": ["LoRA", "low-rank"],
    "embeddings/index.html": ["PPMI", "singular value decomposition", "nearest"],
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
    for page in ("history/n-grams/index.html", "history/rnns-and-lstms/index.html"):
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
