"""The theme's UI strings in each site language, and locale-independent date formatting."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime

# Templates read these as `t.KEY` (see `Strings`); no key may share a name with a
# mapping method (`items`, `get`, ...): a test checks that. Strings holding `{n}`,
# `{index}` or `{total}` are filled in by the template with str.format.
STRINGS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "home": "首页",
        "archives": "归档",
        "categories": "分类",
        "tags": "标签",
        "series": "系列",
        "nav_label": "主导航",
        "skip_to_content": "跳到正文",
        "category_prefix": "分类：",
        "tag_prefix": "标签：",
        "categories_prefix": "分类：",
        "tags_prefix": "标签：",
        "series_prefix": "系列：",
        "list_separator": "、",
        "read_more": "阅读全文",
        "draft": "草稿",
        "published": "发表于",
        "updated": "更新于",
        "page_n": "第 {n} 页",
        "pagination_label": "分页",
        "prev_page": "上一页",
        "next_page": "下一页",
        "post_nav_label": "文章导航",
        "older_post": "上一篇",
        "newer_post": "下一篇",
        "toc": "目录",
        "series_part": "第 {index} / {total} 篇",
        "series_prev": "系列上一篇",
        "series_next": "系列下一篇",
        "post_count_one": "{n} 篇文章",
        "post_count_other": "{n} 篇文章",
        "no_posts": "这里还没有文章。",
        "license_prefix": "本站内容采用 ",
        "license_suffix": " 许可协议。",
        "post_license_prefix": "本文采用 ",
        "post_license_suffix": " 许可协议，转载请注明出处：",
        "feed_atom": "Atom 订阅",
        "feed_rss": "RSS 订阅",
        "powered_by": "由 sitegen 生成",
        "not_found_title": "页面不存在",
        "not_found_text": "抱歉，你要找的页面不存在，可能已被移动或删除。",
        "back_home": "返回首页",
        "search": "搜索",
        "search_label": "搜索标题、标签和正文（含公式的 TeX）",
        "search_placeholder": "例如：能量 GAN",
        "search_loading": "正在载入索引…",
        "search_failed": "无法载入搜索索引，请稍后再试。",
        "search_no_results": "没有找到结果。",
        "search_count_one": "找到 {n} 个结果",
        "search_count_other": "找到 {n} 个结果",
        "search_count_capped": "找到 {n} 个结果，显示前 {shown} 个",
        "search_needs_js": "搜索需要启用 JavaScript。",
    },
    "en": {
        "home": "Home",
        "archives": "Archives",
        "categories": "Categories",
        "tags": "Tags",
        "series": "Series",
        "nav_label": "Main navigation",
        "skip_to_content": "Skip to content",
        "category_prefix": "Category: ",
        "tag_prefix": "Tag: ",
        "categories_prefix": "Categories: ",
        "tags_prefix": "Tags: ",
        "series_prefix": "Series: ",
        "list_separator": ", ",
        "read_more": "Read more",
        "draft": "Draft",
        "published": "Published",
        "updated": "Updated",
        "page_n": "Page {n}",
        "pagination_label": "Pagination",
        "prev_page": "Previous",
        "next_page": "Next",
        "post_nav_label": "Post navigation",
        "older_post": "Older post",
        "newer_post": "Newer post",
        "toc": "Contents",
        "series_part": "Part {index} of {total}",
        "series_prev": "Previous in series",
        "series_next": "Next in series",
        "post_count_one": "{n} post",
        "post_count_other": "{n} posts",
        "no_posts": "No posts here yet.",
        "license_prefix": "Content licensed under ",
        "license_suffix": ".",
        "post_license_prefix": "This post is licensed under ",
        "post_license_suffix": ". When sharing it, please credit the source: ",
        "feed_atom": "Atom feed",
        "feed_rss": "RSS feed",
        "powered_by": "Built with sitegen",
        "not_found_title": "Page not found",
        "not_found_text": "Sorry, the page you are looking for does not exist. It may have moved.",
        "back_home": "Back to the home page",
        "search": "Search",
        "search_label": "Search titles, tags and text (TeX included)",
        "search_placeholder": "e.g. energy GAN",
        "search_loading": "Loading the index…",
        "search_failed": "The search index could not be loaded. Please try again later.",
        "search_no_results": "No results.",
        "search_count_one": "{n} result",
        "search_count_other": "{n} results",
        "search_count_capped": "{n} results; showing the first {shown}",
        "search_needs_js": "Search needs JavaScript.",
    },
}

_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

DATE_STYLES = ("long", "short", "month", "iso", "ymd")


class Strings(Mapping[str, str]):
    """UI strings that templates read as `t.KEY`: attributes, which Jinja looks up first
    (a dict's keys failed that lookup, an exception a read: 40 reads on a list page; a
    `__getattr__` fallback still took 0.4 µs a read), and items too. Read-only."""

    def __init__(self, strings: Mapping[str, str]) -> None:
        self.__dict__.update(strings)

    def __getitem__(self, key: str) -> str:
        return self.__dict__[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dict__)

    def __len__(self) -> int:
        return len(self.__dict__)


def strings(language: str) -> Strings:
    """The UI strings for `language`, which a template cannot change."""
    try:
        return Strings(STRINGS[language])
    except KeyError:
        known = ", ".join(sorted(STRINGS))
        raise ValueError(f"no UI strings for language {language!r} (known: {known})") from None


def format_date(value: date | datetime, style: str, language: str) -> str:
    """Format a date the same way on every machine: month names are ours, not the OS locale's."""
    if language not in STRINGS:
        raise ValueError(f"unknown language {language!r}")
    zh = language == "zh-CN"
    if style == "long":
        if zh:
            return f"{value.year}年{value.month}月{value.day}日"
        return f"{value.day} {_EN_MONTHS[value.month - 1]} {value.year}"
    if style == "short":
        if zh:
            return f"{value.month:02d}-{value.day:02d}"
        return f"{value.day} {_EN_MONTHS[value.month - 1][:3]}"
    if style == "month":
        if zh:
            return f"{value.year}年{value.month}月"
        return f"{_EN_MONTHS[value.month - 1]} {value.year}"
    if style == "iso":
        return value.isoformat()
    if style == "ymd":
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    raise ValueError(f"unknown date style {style!r}; use one of: {', '.join(DATE_STYLES)}")
