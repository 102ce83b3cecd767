"""Slugs: Han characters set apart as words by a translate table, as a regex would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.urls import HAN, HAN_SPACED, make_slug

# the edges of each Han block, their neighbours outside, Latin, digits, symbols, spaces
EDGES = [0x33FF, 0x3400, 0x4DBF, 0x4DC0, 0x4DFF, 0x4E00, 0x9FFF, 0xA000, 0xF8FF, 0xF900, 0xFAFF]
CHARS = st.sampled_from([chr(c) for c in [*EDGES, 0xFB00]] + list("aZ09 +#-.é科学"))


@settings(max_examples=400)
@given(st.lists(CHARS, max_size=20).map("".join))
def test_each_han_character_is_spaced_as_the_regex_does(text: str) -> None:
    assert text.translate(HAN_SPACED) == HAN.sub(lambda m: f" {m[0]} ", text)


def test_slugs_of_mixed_names():
    assert make_slug("GAN模型") == "gan-mo-xing"
    assert make_slug("科学空间") == "ke-xue-kong-jian"
    assert make_slug("C++") == "c-plus-plus"
