"""Tests for sitegen.i18n: date styles in both languages, and UI strings the templates use."""

from __future__ import annotations

import re
import string
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from sitegen.i18n import STRINGS, Strings, format_date, strings

TEMPLATES = Path(__file__).resolve().parent.parent / "themes" / "default" / "templates"

# `t.KEY` not preceded by a name character or a dot, so `post.toc` is not read as `t.oc`.
T_KEY = re.compile(r"(?<![\w.])t\.([A-Za-z_]\w*)")

SHANGHAI = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("value", "style", "language", "expected"),
    [
        (date(2024, 5, 10), "long", "zh-CN", "2024年5月10日"),
        (date(2024, 5, 10), "long", "en", "10 May 2024"),
        (date(2024, 5, 10), "short", "zh-CN", "05-10"),
        (date(2024, 5, 10), "short", "en", "10 May"),
        (date(2024, 5, 10), "month", "zh-CN", "2024年5月"),
        (date(2024, 5, 10), "month", "en", "May 2024"),
        (date(2024, 5, 10), "iso", "zh-CN", "2024-05-10"),
        (date(2024, 5, 10), "iso", "en", "2024-05-10"),
        (date(2024, 5, 10), "ymd", "zh-CN", "2024-05-10"),
        (date(2024, 5, 10), "ymd", "en", "2024-05-10"),
        (datetime(2024, 5, 10, 10, 0, tzinfo=SHANGHAI), "long", "zh-CN", "2024年5月10日"),
        (datetime(2024, 5, 10, 10, 0, tzinfo=SHANGHAI), "long", "en", "10 May 2024"),
        (datetime(2024, 9, 3, 23, 59, tzinfo=SHANGHAI), "short", "zh-CN", "09-03"),
        (datetime(2024, 9, 3, 23, 59, tzinfo=SHANGHAI), "short", "en", "3 Sep"),
        (datetime(2024, 12, 31, tzinfo=SHANGHAI), "month", "zh-CN", "2024年12月"),
        (datetime(2024, 12, 31, tzinfo=SHANGHAI), "month", "en", "December 2024"),
        (
            datetime(2024, 5, 10, 10, 0, tzinfo=SHANGHAI),
            "iso",
            "zh-CN",
            "2024-05-10T10:00:00+08:00",
        ),
        (datetime(2024, 5, 10, 10, 0, tzinfo=SHANGHAI), "iso", "en", "2024-05-10T10:00:00+08:00"),
        (datetime(2024, 1, 2, 3, 4, tzinfo=SHANGHAI), "ymd", "zh-CN", "2024-01-02"),
        (datetime(2024, 1, 2, 3, 4, tzinfo=SHANGHAI), "ymd", "en", "2024-01-02"),
        (date(987, 1, 1), "ymd", "en", "0987-01-01"),
    ],
)
def test_format_date(value: date, style: str, language: str, expected: str) -> None:
    assert format_date(value, style, language) == expected


ENGLISH_MONTHS = (
    "January February March April May June July August September October November December"
)


@pytest.mark.parametrize(("month", "name"), enumerate(ENGLISH_MONTHS.split(), start=1))
def test_every_month(month: int, name: str) -> None:
    # Our own names, not strftime("%B"), which would follow the machine's LC_TIME.
    assert format_date(date(2024, month, 1), "month", "en") == f"{name} 2024"
    assert format_date(date(2024, month, 1), "short", "en") == f"1 {name[:3]}"
    assert format_date(date(2024, month, 1), "month", "zh-CN") == f"2024年{month}月"


def test_unknown_style_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown date style"):
        format_date(date(2024, 5, 10), "fancy", "en")


def test_unknown_language_is_an_error() -> None:
    with pytest.raises(ValueError):
        format_date(date(2024, 5, 10), "long", "fr")
    with pytest.raises(ValueError):
        strings("fr")


def test_both_languages_have_the_same_keys() -> None:
    assert set(STRINGS) == {"zh-CN", "en"}
    assert set(STRINGS["zh-CN"]) == set(STRINGS["en"])


def test_strings_read_as_attributes_and_items_and_cannot_change() -> None:
    t = strings("en")
    assert t.read_more == t["read_more"] == "Read more"
    assert dict(t) == STRINGS["en"]
    with pytest.raises(TypeError):
        t["read_more"] = "changed"  # type: ignore[index]
    with pytest.raises(AttributeError):
        _ = t.no_such_string


def test_no_key_is_hidden_by_a_mapping_method() -> None:
    # a key named `items` would hide Strings.items, which dict(t) and == use
    clashes = set(STRINGS["en"]) & set(dir(Strings))
    assert not clashes


@pytest.mark.parametrize("language", sorted(STRINGS))
def test_placeholders_match_between_languages(language: str) -> None:
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, text in STRINGS[language].items():
        assert fields(text) == fields(STRINGS["en"][key]), key
        assert text == text.strip() or key.endswith(("_prefix", "_suffix", "_separator")), key


def test_every_template_key_exists() -> None:
    templates = sorted(TEMPLATES.glob("*.html"))
    assert templates, f"no templates under {TEMPLATES}"
    used: dict[str, str] = {}
    for path in templates:
        for key in T_KEY.findall(path.read_text(encoding="utf-8")):
            used.setdefault(key, path.name)
    assert "read_more" in used  # the scan itself works
    missing = {key: where for key, where in used.items() if key not in STRINGS["en"]}
    assert not missing, f"UI strings used by templates but missing from STRINGS: {missing}"


def test_nav_keys_looked_up_by_name_exist() -> None:
    # _site_header.html builds the nav from ("home", ...) pairs and reads t[key], which the
    # t.KEY scan cannot see.
    base = (TEMPLATES / "_site_header.html").read_text(encoding="utf-8")
    keys = re.findall(r'\(\s*"(\w+)",\s*url\(', base)
    assert keys == ["home", "archives", "categories", "tags", "series"]
    for key in keys:
        assert key in STRINGS["en"]
