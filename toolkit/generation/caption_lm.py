"""The caption language model generation consults: how plausible a candidate is next to its caption.

A word trigram model with interpolated absolute discounting, trained on the ingested captions. A
caption's own words are in the training data, so the model would prefer it for having memorised it:
every score leaves the caption's own n-gram counts out (exact leave-one-out for this smoothing), so the
caption and its candidates are judged by the *other* captions. Words the corpus lacks but the lexicon
knows get a prior count, so a valid lexicon word is rare, not impossible.

Two uses (`toolkit.generation.operators.compose`): each site's substitutes are drawn in proportion to how
probable they are in that slot (so no word is more frequent among negatives than among captions), and a
candidate much less probable than its caption is dropped (`GenerationConfig.max_plausibility_drop`).
Only the words around an edit are scored: n-grams the caption and the candidate share cancel out.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from toolkit.text.lexicon import Lexicon

_WORD: Final = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
BOS: Final = "<s>"
EOS: Final = "</s>"
COST_SAMPLE: Final = 500  # captions whose mean cost per word `word_cost` is
DEFAULT_WORD_COST: Final = 5.0  # nats, when there are no captions to measure it on


# Every byte but an ASCII lower-case letter or a digit, as a space: on ASCII text without an apostrophe
# the words `_WORD` finds are the runs that `bytes.split` leaves, at a third of a regex pass's cost (a
# caption's candidates are tokenised about 27 times).
_NOT_WORD_BYTES: Final = bytes(c if re.fullmatch(rb"[a-z0-9]", bytes([c])) else 32 for c in range(256))


def lm_tokens(text: str) -> list[str]:
    """Lower-case words, punctuation dropped, with sentence boundary markers."""
    if text.isascii() and "'" not in text:
        return [BOS, BOS, *text.encode().lower().translate(_NOT_WORD_BYTES).decode().split(), EOS]
    return [BOS, BOS, *_WORD.findall(text.lower()), EOS]


class CaptionLM:
    """Trigram counts over captions; `gap` scores a candidate against its caption, leave-one-out."""

    def __init__(self, texts: Iterable[str] = (), priors: Iterable[str] = (), discount: float = 0.75,
                 prior_count: float = 0.5) -> None:
        self.discount = discount
        self.prior_count = prior_count
        # plain dicts, not Counters: the compiled build looks a plain dict up directly, a Counter through
        # a method call (3x the cost of a score)
        self.c3: dict[tuple[str, str, str], int] = {}
        self.captions = 0
        sample: list[list[str]] = []
        for text in texts:
            self.add(text)
            if len(sample) < COST_SAMPLE:
                sample.append(lm_tokens(text))
        self.priors = frozenset(w for p in priors for w in _WORD.findall(p.lower()))
        self._index()
        self.word_cost = self._mean_word_cost(sample)

    def add(self, text: str) -> None:
        w = lm_tokens(text)
        c3 = self.c3
        for t in zip(w, w[1:], w[2:], strict=False):
            c3[t] = c3.get(t, 0) + 1
        self.captions += 1

    def _index(self) -> None:
        """Derived counts: per context its count and distinct continuations, bigrams and unigrams."""
        # (count, distinct continuations) per context in one value: a score looks a context up once
        self.ctx2: dict[tuple[str, str], tuple[int, int]] = {}  # (u, v) -> (c(u v .), distinct w after u v)
        self.c2: dict[tuple[str, str], int] = {}  # c(v w)
        ctx2, c2 = self.ctx2, self.c2
        for (u, v, w), n in self.c3.items():
            seen = ctx2.get((u, v))
            ctx2[(u, v)] = (n, 1) if seen is None else (seen[0] + n, seen[1] + 1)
            c2[(v, w)] = c2.get((v, w), 0) + n
        self.ctx1: dict[str, tuple[int, int]] = {}  # v -> (c(v .), distinct w after v)
        self.c1: dict[str, int] = {}  # c(w) as a predicted word
        ctx1, c1 = self.ctx1, self.c1
        for (v, w), n in c2.items():
            seen1 = ctx1.get(v)
            ctx1[v] = (n, 1) if seen1 is None else (seen1[0] + n, seen1[1] + 1)
            c1[w] = c1.get(w, 0) + n
        self.total = sum(self.c1.values())
        unseen_priors = sum(1 for w in self.priors if w not in self.c1)
        self.vocab = len(self.c1) + unseen_priors + 1  # + 1: the unknown word
        self.denominator = self.total + self.prior_count * self.vocab
        # `word_count` of every word the model knows, computed once (a word it does not know: `unseen`)
        self.unseen = 0 + self.prior_count * 1.0
        self.counts: dict[str, float] = {w: self._word_count(w) for w in (*self.c1, *self.priors)}
        self.choice_weights: dict = {}  # compose.draw_choices' 1 / weight of each substitute, once computed

    def _mean_word_cost(self, sample: list[list[str]]) -> float:
        """Mean -log p of a word of a caption, leave-one-out: what an inserted word costs on average."""
        total, n = 0.0, 0
        for words in sample:
            total -= self.window_logprob(words, 2, len(words), self.own_counts(words))
            n += len(words) - 2
        return total / n if n else DEFAULT_WORD_COST

    def word_count(self, word: str) -> float:
        """How often captions use a word (its count as a predicted word), plus its prior."""
        return self.counts.get(word, self.unseen)

    def phrase_count(self, words: list[str]) -> float:
        """How often captions use a phrase: a word's `word_count`; for several words, the count of their
        rarest adjacent pair plus an unseen word's prior ("near to" is rare however common "near" is)."""
        if len(words) == 1:
            return self.word_count(words[0])
        c2 = self.c2
        return min((c2.get((a, b), 0) for a, b in zip(words, words[1:], strict=False)), default=0) + self.unseen

    def _word_count(self, word: str) -> float:
        return self.c1.get(word, 0) + self.prior_count * (2.0 if word in self.priors else 1.0)

    # --------------------------------------------------------------------------------- probabilities

    def _level(self, joint: int, own_joint: int, ctx: int, own_ctx: int, types: int, lower: float) -> float:
        """Interpolated absolute discounting at one level, with the caption's own counts taken out."""
        ctx -= own_ctx
        if ctx <= 0:
            return lower
        joint -= own_joint
        if own_joint and joint <= 0:
            types -= 1  # the caption was this continuation's only occurrence
        d = self.discount
        return (max(joint - d, 0.0) + d * types * lower) / ctx

    def logprob3(self, u: str, v: str, w: str, own: dict) -> float:
        """log p(w | u v) with the counts in `own` (a caption's, from `own_counts`) left out.

        Looks up only what can count: a context the corpus never saw leaves its level to the one below,
        and the caption's own n-gram counts are looked up only when its words are in it (`own` has
        every predicted word of the caption as a key, so a word it lacks ends no n-gram of the caption,
        and a context word it lacks, other than <s>, starts none)."""
        own_w = own_total = own_v = 0
        if own:
            own_w = own.get(w, 0)
            own_total = own.get("", 0)
            if v == BOS or v in own:
                own_v = own.get((v,), 0)
        p = (self.counts.get(w, self.unseen) - own_w) / (self.denominator - own_total)
        ctx1 = self.ctx1.get(v)
        if ctx1 is not None:
            p = self._level(self.c2.get((v, w), 0), own.get((v, w), 0) if own_w else 0, ctx1[0], own_v,
                            ctx1[1], p)
        ctx2 = self.ctx2.get((u, v))
        if ctx2 is not None:
            own_uv = own.get((u, v, ""), 0) if own_v else 0
            p = self._level(self.c3.get((u, v, w), 0), own.get((u, v, w), 0) if own_w and own_uv else 0, ctx2[0],
                            own_uv, ctx2[1], p)
        return math.log(p)

    def own_counts(self, words: list[str]) -> dict:
        """The counts one caption (as `lm_tokens`) added to the model, keyed as `logprob3` subtracts them:
        trigrams, bigrams (v, w), unigrams w, contexts (u, v, "") and (v,), and "" for the total. Empty
        for a caption the model was not trained on (one of its trigrams was never seen)."""
        own: dict = {}
        trigrams = list(zip(words, words[1:], words[2:], strict=False))
        if not all(t in self.c3 for t in trigrams):
            return own
        for u, v, w in trigrams:  # written out: a tuple of six keys per trigram cost more than the counting
            tri, ctx, bi, uni = (u, v, w), (u, v, ""), (v, w), (v,)
            own[tri] = own.get(tri, 0) + 1
            own[ctx] = own.get(ctx, 0) + 1
            own[bi] = own.get(bi, 0) + 1
            own[uni] = own.get(uni, 0) + 1
            own[w] = own.get(w, 0) + 1
            own[""] = own.get("", 0) + 1
        return own

    def window_logprob(self, words: list[str], start: int, end: int, own: dict,
                       cache: dict | None = None) -> float:
        """Sum of log p over the trigrams whose last word lies in words[start:end]; `cache` (one per
        caption, as `own` is) keeps each trigram's log p for the caption's other candidates."""
        if cache is None:
            return sum(self.logprob3(words[i - 2], words[i - 1], words[i], own) for i in range(max(start, 2), end))
        total = 0.0
        for i in range(max(start, 2), end):
            key = (words[i - 2], words[i - 1], words[i])
            value = cache.get(key)
            if value is None:
                value = cache[key] = self.logprob3(key[0], key[1], key[2], own)
            total += value
        return total

    def position_logprobs(self, words: list[str], own: dict, cache: dict | None = None) -> list[float]:
        """log p of the trigram ending at each position of `words` (0.0 for the two <s>), for `gap`'s
        `caption_logprobs`; each goes into `cache` as well."""
        out = [0.0] * min(2, len(words))
        for i in range(2, len(words)):
            out.append(self.window_logprob(words, i, i + 1, own, cache))
        return out

    def gap(self, caption: list[str], candidate: list[str], own: dict | None = None,
            cache: dict | None = None, caption_logprobs: list[float] | None = None) -> float:
        """log p(caption) - log p(candidate), leave-one-out; > 0 when the caption is the more probable.
        Only the trigrams that differ are scored (a shared prefix and suffix cancel). `own` and `cache`:
        the caption's counts and a trigram cache, to reuse over its candidates; `caption_logprobs`: the
        caption's `position_logprobs`, summed over the window instead of looked up again (same result).
        Lists, not any sequence: the compiled build indexes a list directly (a generic index was 2 % of
        generation)."""
        own = self.own_counts(caption) if own is None else own
        prefix = 0
        limit = min(len(caption), len(candidate))
        while prefix < limit and caption[prefix] == candidate[prefix]:
            prefix += 1
        suffix = 0
        while suffix < limit - prefix and caption[-1 - suffix] == candidate[-1 - suffix]:
            suffix += 1
        # a trigram is shared when its three words lie in the common prefix or the common suffix
        cap_end, cand_end = min(len(caption), len(caption) - suffix + 2), min(len(candidate), len(candidate) - suffix + 2)
        if caption_logprobs is None:
            kept = self.window_logprob(caption, prefix, cap_end, own, cache)
        else:
            kept = 0.0
            for i in range(max(prefix, 2), cap_end):  # in window_logprob's order: the same float
                kept += caption_logprobs[i]
        return kept - self.window_logprob(candidate, prefix, cand_end, own, cache)



def lexicon_priors(lex: Lexicon) -> list[str]:
    """Every object, attribute and relation word the lexicon knows: valid words the corpus may lack."""
    attributes = [w for type_ in lex.attribute_type_names() for w in lex.attribute_words(type_)]
    return [*lex.object_words(), *attributes, *lex.relation_words()]


def fit_caption_lm(texts_by_hash: Iterable[tuple[str, str]], lex: Lexicon) -> tuple[CaptionLM, str]:
    """The model of a corpus given as (text hash, text) pairs, and its version for the run record (a
    digest of the distinct hashes and their number). Trained in hash order, so any source of the same
    captions (the database, the scale-out shards) gives the same model and version."""
    unique = {h: text for h, text in texts_by_hash}
    digest = hashlib.sha1()

    def texts() -> Iterator[str]:
        for h in sorted(unique):
            digest.update(h.encode())
            yield unique[h]

    lm = CaptionLM(texts(), lexicon_priors(lex))
    return lm, f"{digest.hexdigest()[:12]} ({lm.captions} captions)"
