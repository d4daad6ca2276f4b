"""Property tests: no operator crashes on arbitrary text, and provenance spans point at the source tokens."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.generation.operators import GenerationConfig, generate, normalize
from toolkit.text.parse import Parse, parse_text

WORDS = ["a", "an", "the", "two", "black", "white", "wooden", "dog", "cat", "man", "woman", "horse", "table", "on",
         "under", "next", "to", "in", "front", "of", "and", "with", "riding", "holding", "sitting", "is", "are",
         "big", "red", "car", "bus", "grass", ",", ".", "A", "Two", "men", "near", "top", "chasing", "small"]

captions = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=16).map(" ".join),
    st.text(min_size=1, max_size=80),
)
CONFIG = GenerationConfig(depth=2, max_candidates=15)


def check(parse: Parse) -> None:
    gen = generate(parse, CONFIG)
    source = normalize(parse.text)
    seen = set()
    for cand in gen.candidates:
        assert normalize(cand.text) != source
        assert cand.text not in seen
        seen.add(cand.text)
        for edit in cand.edits:
            assert len(edit.spans) == len(edit.words_out) == len(edit.words_in)
            for (start, end), out in zip(edit.spans, edit.words_out, strict=True):
                assert 0 <= start <= end <= len(parse.tokens)
                if start == end:
                    assert out == ""
                else:
                    assert out == " ".join(t.text for t in parse.tokens[start:end])
        sites = [e.site for e in cand.edits]
        assert all(a.isdisjoint(b) for i, a in enumerate(sites) for b in sites[i + 1 :])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=captions)
def test_operators_never_crash_and_spans_match_source(nlp, text):
    if not text.strip():
        return
    parse = parse_text(text, nlp=nlp)
    check(parse)
    check(Parse.from_json(parse.text, parse.to_json()))  # a stored parse behaves the same
