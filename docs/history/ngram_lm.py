"""Small count-based n-gram language models: MLE, Katz back-off and interpolated Kneser-Ney.

The module is written to be read next to the diary page ``n-grams.md`` and the notebook
``n-gram-smoothing.ipynb``. Notation follows that page: ``c(.)`` is a training count, ``N_r`` the number
of distinct n-grams seen exactly ``r`` times and ``N1+(. w)`` the number of distinct words that precede
``w``.

Conventions shared by every model:

* Text is split into sentences and lower-case word tokens by :func:`tokenize_text`; each sentence is
  wrapped in one ``<s>`` and one ``</s>`` marker.
* A model of order ``n`` left-pads every sentence with ``n - 1`` copies of ``<s>`` (see
  :func:`pad_sentence`) and predicts every token after the padding, including ``</s>``. ``<s>`` is never
  predicted, so it is not part of the vocabulary a distribution is defined over.
* The vocabulary is fixed before training (:func:`build_vocabulary`) and always contains ``<unk>`` and
  ``</s>``. Training and test words outside it are mapped to ``<unk>``.
* ``model.prob(word, context)`` returns P(word | context), where ``context`` holds the previous tokens;
  only the last ``order - 1`` of them are used. For the smoothed models the probabilities over
  ``model.vocabulary`` sum to one for every context (:func:`total_probability` checks this).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

BOS = "<s>"
EOS = "</s>"
UNK = "<unk>"

Context = tuple[str, ...]

_SENTENCE_BREAK = re.compile(r"\n\s*\n|(?<=[.!?])\s+(?=[A-Z\"'(\[`])")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


# ---------------------------------------------------------------------------------------------------------
# Tokenisation and vocabulary
# ---------------------------------------------------------------------------------------------------------


def split_sentences(text: str) -> list[str]:
    """Split text at blank lines and at ``.``, ``!`` or ``?`` followed by whitespace and a capital letter.

    Requiring a capital after the full stop keeps abbreviations such as "e.g. foo" inside one sentence.
    """
    return [part.strip() for part in _SENTENCE_BREAK.split(text) if part and part.strip()]


def tokenize_sentence(sentence: str) -> list[str]:
    """Return the lower-case word tokens of one sentence (letters and inner apostrophes only)."""
    return _WORD.findall(sentence.lower())


def tokenize_text(text: str) -> list[list[str]]:
    """Split text into sentences of lower-case word tokens, each wrapped as ``[<s>, w1, ..., wk, </s>]``.

    Sentences without any word token are dropped.
    """
    sentences = []
    for sentence in split_sentences(text):
        words = tokenize_sentence(sentence)
        if words:
            sentences.append([BOS, *words, EOS])
    return sentences


def strip_boundaries(sentence: Sequence[str]) -> list[str]:
    """Remove any ``<s>`` and ``</s>`` markers from a token sequence."""
    return [token for token in sentence if token not in (BOS, EOS)]


def pad_sentence(sentence: Sequence[str], order: int) -> list[str]:
    """Return ``[<s>] * (order - 1) + words + [</s>]`` for a sentence with or without markers."""
    if order < 1:
        raise ValueError("order must be at least 1")
    return [BOS] * (order - 1) + strip_boundaries(sentence) + [EOS]


def build_vocabulary(sentences: Iterable[Sequence[str]], min_count: int = 2) -> frozenset[str]:
    """Return the words seen at least ``min_count`` times, plus ``</s>`` and ``<unk>`` (never ``<s>``).

    With ``min_count >= 2`` the rare training words become ``<unk>``, so ``<unk>`` has real training
    counts; this matters for :class:`KatzBackoffLM`, whose unigram level is the plain MLE.
    """
    counts = Counter(token for sentence in sentences for token in strip_boundaries(sentence))
    vocabulary = {word for word, count in counts.items() if count >= min_count}
    return frozenset(vocabulary | {EOS, UNK})


def map_to_vocabulary(tokens: Iterable[str], vocabulary: frozenset[str]) -> list[str]:
    """Replace tokens outside the vocabulary by ``<unk>``; ``<s>`` is kept as a boundary marker."""
    return [token if token in vocabulary or token == BOS else UNK for token in tokens]


# ---------------------------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------------------------


def count_ngrams(sentences: Iterable[Sequence[str]], n: int) -> Counter[Context]:
    """Count the n-grams that end at a predicted token (every token after ``n - 1`` ``<s>`` pads).

    Because padding is all ``<s>``, these counts are the same whether a sentence is padded for order ``n``
    or for any higher order, so a model of order ``N`` can use them for every level ``n <= N``.
    """
    counts: Counter[Context] = Counter()
    for sentence in sentences:
        padded = pad_sentence(sentence, n)
        for end in range(n - 1, len(padded)):
            counts[tuple(padded[end - n + 1 : end + 1])] += 1
    return counts


def group_by_context(ngram_counts: Mapping[Context, int]) -> dict[Context, dict[str, int]]:
    """Turn ``{(h..., w): count}`` into ``{(h...): {w: count}}``."""
    grouped: dict[Context, dict[str, int]] = {}
    for ngram, count in ngram_counts.items():
        grouped.setdefault(ngram[:-1], {})[ngram[-1]] = count
    return grouped


def count_of_counts(counts: Iterable[int]) -> Counter[int]:
    """Return ``N_r``: how many distinct events have count exactly ``r``."""
    return Counter(counts)


@dataclass
class NgramCounts:
    """N-gram counts of every order up to ``max_order`` over a fixed vocabulary.

    Build it once with :meth:`from_sentences` and share it between models of different orders.
    """

    vocabulary: frozenset[str]
    max_order: int
    ngrams: dict[int, Counter[Context]]
    _followers: dict[int, dict[Context, dict[str, int]]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_sentences(
        cls, sentences: Iterable[Sequence[str]], max_order: int, vocabulary: frozenset[str]
    ) -> NgramCounts:
        """Map the sentences onto ``vocabulary`` and count n-grams for orders ``1..max_order``."""
        mapped = [map_to_vocabulary(strip_boundaries(sentence), vocabulary) for sentence in sentences]
        ngrams = {n: count_ngrams(mapped, n) for n in range(1, max_order + 1)}
        return cls(vocabulary=vocabulary, max_order=max_order, ngrams=ngrams)

    def followers(self, n: int) -> dict[Context, dict[str, int]]:
        """Return ``{context: {word: c(context word)}}`` for n-grams of order ``n`` (cached)."""
        if n not in self._followers:
            self._followers[n] = group_by_context(self.ngrams[n])
        return self._followers[n]

    @property
    def num_tokens(self) -> int:
        """Number of predicted training tokens (words plus one ``</s>`` per sentence)."""
        return sum(self.ngrams[1].values())


# ---------------------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------------------


class NgramLM:
    """Base class: stores the order, the vocabulary and the counts; subclasses implement ``prob``."""

    def __init__(self, counts: NgramCounts, order: int) -> None:
        if not 1 <= order <= counts.max_order:
            raise ValueError(f"order must be in 1..{counts.max_order}")
        self.counts = counts
        self.order = order
        self.vocabulary = counts.vocabulary

    def _context(self, context: Sequence[str]) -> Context:
        """Keep the last ``order - 1`` tokens of ``context`` and map them onto the vocabulary."""
        if self.order == 1:
            return ()
        tail = list(context)[-(self.order - 1) :]
        tail = [BOS] * (self.order - 1 - len(tail)) + tail
        return tuple(map_to_vocabulary(tail, self.vocabulary))

    def _word(self, word: str) -> str:
        return word if word in self.vocabulary else UNK

    def prob(self, word: str, context: Sequence[str] = ()) -> float:
        """Return P(word | context); ``context`` is the list of preceding tokens."""
        return self._prob(self._word(word), self._context(context))

    def _prob(self, word: str, context: Context) -> float:
        raise NotImplementedError


class MaximumLikelihoodLM(NgramLM):
    """Relative-frequency estimate with optional add-k smoothing.

    ``P(w | h) = (c(h w) + k) / (c(h) + k |V|)``. With ``add_k = 0`` this is the plain MLE: unseen n-grams
    get probability zero, and so does every word after an unseen context (the MLE is undefined there,
    and zero is the honest answer for a perplexity computation). ``add_k = 1`` is Laplace smoothing.
    """

    def __init__(self, counts: NgramCounts, order: int, add_k: float = 0.0) -> None:
        super().__init__(counts, order)
        self.add_k = add_k
        self._followers = counts.followers(order)
        self._totals = {h: sum(f.values()) for h, f in self._followers.items()}

    def _prob(self, word: str, context: Context) -> float:
        total = self._totals.get(context, 0)
        if total == 0 and self.add_k == 0:
            return 0.0
        seen = self._followers.get(context, {}).get(word, 0)
        return (seen + self.add_k) / (total + self.add_k * len(self.vocabulary))


def katz_discounts(ngram_counts: Mapping[Context, int], max_count: int = 5) -> dict[int, float]:
    """Return Katz's Good-Turing discount ratios ``d_r`` for ``1 <= r <= k``.

    ``r* = (r + 1) N_{r+1} / N_r`` and ``d_r = (r*/r - A) / (1 - A)`` with ``A = (k + 1) N_{k+1} / N_1``,
    which keeps the total mass taken from counts ``1..k`` equal to the Good-Turing mass ``N_1 / N``.
    Counts above ``k`` are trusted (``d_r = 1``). If the count-of-counts are too irregular for some
    ``d_r`` to land in ``(0, 1)``, ``k`` is lowered until they all do.
    """
    n_r = count_of_counts(ngram_counts.values())
    for k in range(max_count, 0, -1):
        if n_r[1] == 0 or n_r[k + 1] == 0:
            continue
        a = (k + 1) * n_r[k + 1] / n_r[1]
        if a >= 1:
            continue
        discounts = {}
        for r in range(1, k + 1):
            if n_r[r] == 0 or n_r[r + 1] == 0:
                break
            r_star = (r + 1) * n_r[r + 1] / n_r[r]
            d = (r_star / r - a) / (1 - a)
            if not 0 < d < 1:
                break
            discounts[r] = d
        else:
            return discounts
    raise ValueError("count-of-counts too irregular for Good-Turing discounting")


class KatzBackoffLM(NgramLM):
    """Katz back-off with Good-Turing discounts for counts ``r <= k`` [Katz 1987].

    For a seen n-gram, ``P(w | h) = d_r c(h w) / c(h)``. For an unseen one, ``P(w | h) = alpha(h)
    P(w | h')``, where ``h'`` drops the oldest word and

        alpha(h) = (1 - sum_{w: c(h w) > 0} P(w | h)) / (1 - sum_{w: c(h w) > 0} P(w | h')),

    so every conditional distribution sums to one. An unseen context backs off with ``alpha = 1``.
    The recursion ends at the unigram MLE over the vocabulary.

    Katz's rule leaves one gap: a context whose continuations all have counts above ``k`` ("closed")
    keeps all of its mass, so ``alpha(h) = 0``, every unseen continuation gets probability zero and a
    single such event in held-out text makes perplexity infinite. With ``rescue_closed_contexts=True``
    (the default, my deviation from the 1987 paper) the counts of a closed context are discounted with
    ``d_k``, as if they were ``k``, which frees ``1 - d_k`` of its mass for back-off. With ``False`` the
    textbook behaviour is kept; a context whose lower-order distribution has no mass left on its unseen
    words then also gets ``alpha = 0`` and sums to less than one. :attr:`closed_contexts` lists the
    affected contexts.
    """

    def __init__(
        self,
        counts: NgramCounts,
        order: int,
        max_discounted_count: int = 5,
        rescue_closed_contexts: bool = True,
    ) -> None:
        super().__init__(counts, order)
        self.max_discounted_count = max_discounted_count
        self.rescue_closed_contexts = rescue_closed_contexts
        self._followers = {n: counts.followers(n) for n in range(2, order + 1)}
        self._totals = {
            n: {h: sum(f.values()) for h, f in followers.items()} for n, followers in self._followers.items()
        }
        self.discounts = {
            n: katz_discounts(counts.ngrams[n], max_discounted_count) for n in range(2, order + 1)
        }
        unigrams = counts.ngrams[1]
        total = sum(unigrams.values())
        self._unigram = {word: unigrams.get((word,), 0) / total for word in self.vocabulary}
        self.closed_contexts: dict[int, set[Context]] = {
            n: {h for h, f in followers.items() if min(f.values()) > max(self.discounts[n])}
            for n, followers in self._followers.items()
        }
        self._alpha: dict[Context, float] = {}

    def _discounted(self, n: int, context: Context, count: int) -> float:
        """Return ``d_r c(h w) / c(h)`` for a seen n-gram of order ``n``."""
        ratios = self.discounts[n]
        if self.rescue_closed_contexts and context in self.closed_contexts[n]:
            ratio = ratios[max(ratios)]
        else:
            ratio = ratios.get(count, 1.0)
        return ratio * count / self._totals[n][context]

    def _prob(self, word: str, context: Context) -> float:
        n = len(context) + 1
        if n == 1:
            return self._unigram[word]
        followers = self._followers[n].get(context)
        if followers is None:
            return self._prob(word, context[1:])
        count = followers.get(word, 0)
        if count > 0:
            return self._discounted(n, context, count)
        return self.backoff_weight(context) * self._prob(word, context[1:])

    def backoff_weight(self, context: Context) -> float:
        """Return ``alpha(h)`` for a seen context ``h`` (cached)."""
        if context not in self._alpha:
            n = len(context) + 1
            followers = self._followers[n][context]
            kept = math.fsum(self._discounted(n, context, c) for c in followers.values())
            lower = math.fsum(self._prob(w, context[1:]) for w in followers)
            left_over = 1.0 - kept
            free = 1.0 - lower
            self._alpha[context] = left_over / free if left_over > 1e-15 and free > 1e-15 else 0.0
        return self._alpha[context]


def kneser_ney_discount(counts: Iterable[int]) -> float:
    """Return the estimate ``D = N_1 / (N_1 + 2 N_2)`` of Ney, Essen and Kneser, as used by Chen and Goodman.

    Without singletons the formula is undefined and ``0.75`` is returned.
    """
    n_r = count_of_counts(counts)
    if n_r[1] == 0:
        return 0.75  # no singletons (e.g. a unigram table over a min_count=2 vocabulary): a common default
    return n_r[1] / (n_r[1] + 2 * n_r[2])


class KneserNeyLM(NgramLM):
    """Interpolated Kneser-Ney, one absolute discount per order [Kneser and Ney 1995; Chen and Goodman 1999].

    At level ``m`` with context ``h`` (``h'`` drops the oldest word):

        P_m(w | h) = max(a(h w) - D_m, 0) / a(h .) + D_m N1+(h .) / a(h .) * P_{m-1}(w | h')

    where ``a`` is the raw count ``c`` at the highest order and the continuation count ``N1+(. h w)`` at
    lower orders. Lower-order n-grams that start with ``<s>`` keep raw counts, because their only left
    neighbour is padding (the same rule KenLM applies). An unseen context falls through to ``P_{m-1}``.
    The recursion ends at the continuation unigram interpolated with a uniform distribution over the
    vocabulary, so ``<unk>`` and every other word get non-zero probability.

    ``discount=None`` estimates ``D_m`` per order with :func:`kneser_ney_discount`; a float fixes all of
    them. The interpolation weight uses ``sum_w min(D, a(h w))``, which equals ``D N1+(h .)`` whenever
    ``D <= 1`` and keeps the distribution normalised for larger ``D`` too.
    """

    def __init__(self, counts: NgramCounts, order: int, discount: float | None = None) -> None:
        super().__init__(counts, order)
        self._tables: dict[int, dict[Context, dict[str, int]]] = {}
        for n in range(1, order + 1):
            if n == order:
                table = counts.followers(n)
            else:
                table = group_by_context(self._continuation_counts(counts, n))
            self._tables[n] = table
        self.discounts = {
            n: discount
            if discount is not None
            else kneser_ney_discount(c for f in table.values() for c in f.values())
            for n, table in self._tables.items()
        }
        # Per context: (a(h .), mass removed by discounting).
        self._norms: dict[int, dict[Context, tuple[int, float]]] = {}
        for n, table in self._tables.items():
            d = self.discounts[n]
            self._norms[n] = {
                h: (sum(f.values()), sum(min(d, c) for c in f.values())) for h, f in table.items()
            }
        self._uniform = 1.0 / len(self.vocabulary)

    @staticmethod
    def _continuation_counts(counts: NgramCounts, n: int) -> Counter[Context]:
        """Return ``N1+(. h w)`` for n-grams ``h w`` of order ``n`` (raw counts if they start with ``<s>``)."""
        result: Counter[Context] = Counter()
        for ngram in counts.ngrams[n + 1]:
            suffix = ngram[1:]
            if suffix[0] != BOS:
                result[suffix] += 1
        for ngram, count in counts.ngrams[n].items():
            if ngram[0] == BOS:
                result[ngram] = count
        return result

    def _prob(self, word: str, context: Context) -> float:
        n = len(context) + 1
        lower = self._uniform if n == 1 else self._prob(word, context[1:])
        followers = self._tables[n].get(context)
        if followers is None:
            return lower
        total, removed = self._norms[n][context]
        count = followers.get(word, 0)
        return max(count - self.discounts[n], 0.0) / total + removed / total * lower


# ---------------------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------------------


def total_probability(model: NgramLM, context: Sequence[str]) -> float:
    """Return ``sum_w P(w | context)`` over the model's vocabulary (1 for a normalised model)."""
    return math.fsum(model.prob(word, context) for word in model.vocabulary)


def sentence_log_probs(model: NgramLM, sentence: Sequence[str]) -> list[float]:
    """Return the natural-log probability of each predicted token (words and ``</s>``) of one sentence.

    A zero probability gives ``-inf``.
    """
    padded = pad_sentence(sentence, model.order)
    start = model.order - 1
    log_probs = []
    for i in range(start, len(padded)):
        p = model.prob(padded[i], padded[i - start : i])
        log_probs.append(math.log(p) if p > 0 else -math.inf)
    return log_probs


def perplexity(model: NgramLM, sentences: Iterable[Sequence[str]]) -> float:
    """Return ``exp(-mean log P)`` over every predicted token of ``sentences``; ``inf`` if any is zero."""
    total = 0.0
    num_tokens = 0
    for sentence in sentences:
        log_probs = sentence_log_probs(model, sentence)
        total += math.fsum(log_probs)
        num_tokens += len(log_probs)
    if num_tokens == 0:
        raise ValueError("no tokens to score")
    return math.exp(-total / num_tokens) if math.isfinite(total) else math.inf
