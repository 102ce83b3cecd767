"""Names made into URL segments: post slugs, term slugs, heading ids.

Apart from `urls`, which every build imports: the transliteration tables are imported
only by the processes that parse (12 ms that a build with nothing to parse does not pay).
"""

from __future__ import annotations

import re
from functools import lru_cache

from slugify import slugify
from text_unidecode import unidecode

# Symbols that tell names apart: C++, C# and C must not share one tag page.
SYMBOLS = re.compile(r"(?<=\w)(\++|#)")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class _HanSpaced(dict):
    """A str.translate table that sets each Han character apart as its own word, so
    "GAN模型" becomes gan-mo-xing, not ganmo-xing: filled one character at a time as
    text shows it (a regex substitution cost a heading's slug a third of its time)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        spaced = self[code] = f" {char} " if HAN.match(char) else char
        return spaced


HAN_SPACED = _HanSpaced()


@lru_cache(maxsize=65536)  # tags and categories repeat across thousands of posts
def make_slug(text: str) -> str:
    """An ASCII URL segment; Chinese is transliterated (科学 → ke-xue) so URLs stay readable."""
    text = SYMBOLS.sub(lambda m: " sharp " if m[0] == "#" else " plus " * len(m[0]), text)
    # Transliterated here, not by slugify: its default looks for the `unidecode` package on
    # every call (1.8 ms per post's headings when it is absent), and would use it, with other
    # results, on a machine where it happens to be installed.
    ascii_text = unidecode(text.translate(HAN_SPACED))
    return slugify(ascii_text, lowercase=True, max_length=80, word_boundary=True)
