#!/usr/bin/env python3
"""Write a deterministic synthetic blog of math-heavy bilingual posts for sitegen, Hugo or Pelican.

    python benchmarks/corpus.py --target sitegen|hugo|pelican --posts N --out DIR [--seed S]

Each post reads like one on a Chinese machine-learning/maths blog: Chinese prose
with English sentences mixed in, inline `$...$` math full of `_ * | \\`, display
math (`$$` with aligned, array, pmatrix or cases; bare `\\begin{equation}`), one
Python code fence, one image with a caption line, and `<!--more-->` after the
first paragraph. Front matter: title, date, one of 20 categories, 2-6 of 200
tags (Zipf-like popularity), a slug, and for about one post in ten a series.

Post i depends only on (seed, i), so a 1,000-post corpus is the prefix of a
10,000-post one, and the three targets hold the same bodies. DIR/posts.json
lists every post so that a benchmark can pick one to edit. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import struct
import sys
import zlib
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

TARGETS = ("sitegen", "hugo", "pelican")
DEFAULT_SEED = 4
CATEGORY_COUNT = 20
TAG_COUNT = 200
IMAGE_COUNT = 16
# A series starts in every run of SERIES_SPAN posts and takes SERIES_PARTS of them: 10 %.
SERIES_SPAN = 50
SERIES_PARTS = 5
CHINA = timezone(timedelta(hours=8))
# Post 0 is the newest and each later one older, so that no corpus size reaches the
# future (which every generator leaves unpublished by default).
NEWEST_DATE = datetime(2025, 12, 28, 21, 30, tzinfo=CHINA)
MANIFEST = "posts.json"


def _words(text: str, separator: str | None = None) -> tuple[str, ...]:
    """A vocabulary written as running text, one entry per separator."""
    return tuple(word.strip() for word in text.split(separator) if word.strip())


TOPICS = _words(
    """
    随机梯度 自注意力 变分下界 扩散过程 得分匹配 特征分解 奇异值 谱半径 矩阵指数
    拉普拉斯近似 蒙特卡洛估计 重参数化 互信息 最优传输 沃瑟斯坦距离 凸优化 对偶间隙
    拉格朗日函数 牛顿法 共轭梯度 动量方法 权重衰减 批归一化 残差网络 旋转编码 长度外推
    线性注意力 状态空间模型 低秩适配 混合专家 知识蒸馏 量化误差 泛化界 正则化 贝叶斯推断
    马氏距离 高斯积分 特征函数 大数定律 中心极限定理 切比雪夫不等式 詹森不等式 柯西不等式
    泰勒级数 傅里叶级数 复平面 留数定理 群表示 李代数 微分流形 测地线 哈密顿量 朗之万动力学
    常微分方程 偏微分方程 数值积分 浮点误差 条件数 预条件 幂迭代
    """
)
VERBS = _words(
    """
    可以写成 近似等于 蕴含了 收敛于 被分解为 决定了 限制了 给出了 对应于 推广了 退化为
    依赖于 保证了 简化了
    """
)
OPENINGS = _words(
    """
    首先 容易看出 换言之 实际上 因此 接下来 回到正题 不妨设 注意 由上式 直观地说 严格地说
    反之 同理 可见 按照定义 在前一篇文章中 为简单起见 一般而言
    """
)
ASIDES = _words(
    """
    这个结果并不平凡 细节留给读者 证明从略 这一步是整个推导的核心 实验上也观察到了这一点
    这是一个经典的技巧 后文会反复用到它 这里的常数并不重要 形式上非常对称 它的几何意义很清楚
    """
)
ENGLISH = _words(
    """
    we show that the bound is tight when variance of each step stays small a careful choice
    learning rate makes training stable this estimator unbiased but noisy in high dimensions
    norm grows linearly with depth attention logits saturate for long sequences so scale
    them down kernel trick gives closed form solution sampler needs fewer steps than before
    eigenvalues spread out as width increases it follows immediately
    """
)
ENGLISH_TAGS = _words(
    """
    attention transformers diffusion score-based sde neural-ode vae gans normalizing-flows
    adam sgd momentum second-order layer-norm rms-norm init embeddings tokenization llm
    pretraining finetuning rlhf moe sparse low-rank lora svd eigen spectral lipschitz
    kernels gp bayes variational elbo kl entropy info-theory probability stats mcmc langevin
    ebm contrastive clip vit cnn rnn ssm mamba linear-attention long-context rope
    quantization distillation pruning scaling-laws generalization dropout weight-decay
    lr-schedule warmup batch-size numerics mixed-precision complex-analysis fourier wavelets
    groups lie-groups geometry topology measure inequalities combinatorics number-theory
    calculus linear-algebra matrix-calculus optimization convex duality physics control rl
    ppo retrieval search decoding sampling
    """
)
TAG_SUFFIXES = ("笔记", "推导", "应用")
CATEGORIES = _words(
    """
    数学 机器学习 深度学习 自然语言处理 生成模型 优化 概率论 统计学 物理 天文 编程 论文笔记
    数值分析 线性代数 微积分 信息论 强化学习 复变函数 杂谈 读书
    """
)
SERIES_TITLES = _words(
    """
    扩散模型十讲 注意力机制杂谈 优化器的几何 概率论补遗 矩阵计算手记 变分推断入门
    长上下文之路 数值线性代数 信息论漫步 随机过程笔记
    """
)
CAPTIONS = _words(
    """
    损失曲线 / 注意力热图 / 采样路径 / 谱分布 / 网络结构 / 不同步长的收敛速度 / 外推长度与困惑度 /
    Training loss vs. steps / Spectrum of the weight matrix
    """,
    "/",
)
GREEK = ("alpha", "beta", "gamma", "delta", "theta", "lambda", "mu", "sigma", "omega", "xi")
SYMBOLS = tuple("abcdfghklmnpqrsuvwxyz")
INDICES = ("i", "j", "k", "l", "n", "t")


@dataclass(frozen=True)
class Post:
    index: int
    slug: str
    title: str
    date: datetime
    category: str
    tags: tuple[str, ...]
    series: str | None
    series_index: int | None
    body: str


# --- math ------------------------------------------------------------------


def _inline_math(rng: random.Random) -> str:
    """One `$...$` span; each form holds a character Markdown would otherwise eat."""
    x, y = rng.choice(SYMBOLS), rng.choice(SYMBOLS)
    i, j = rng.sample(INDICES, 2)
    g = "\\" + rng.choice(GREEK)
    n = rng.randint(2, 12)
    forms = (
        f"${x}_{i}$",
        f"${x}_{{{i}{j}}}*{y}_{{{j}}}$",
        f"$|{x}_{i} - {y}_{i}|$",
        f"$\\| W_{{{i}}} \\|_*$",
        f"${g}^*_{{{i}}}$",
        f"$q({x}_{{1:{n}}} | {y})$",
        f"$\\{{ {x}_{i} \\}}_{{{i}=1}}^{{{n}}}$",
        f"$\\mathbb{{E}}[{x}_t|{x}_0]$",
        f"$\\nabla_{{{g}}} \\log p_{g}({x})$",
        f"$\\sum_{{{i}}} {g}_{i}^2 < \\infty$",
        "$\\mathrm{KL}(q\\|p)$",
        f"$\\langle {x}_{i}, {y}_{j} \\rangle$",
        f"${x} \\in \\mathbb{{R}}^{{{n}\\times d}}$",
        f"$\\frac{{\\partial \\mathcal{{L}}}}{{\\partial {g}_{{{i}}}}}$",
        f"$O({x}^{{{n}}} \\log {x})$",
        f"${y}^{{*}}_{{{i}{j}}} = {x}_{{{j}{i}}}$",
    )
    return rng.choice(forms)


def _display_math(rng: random.Random) -> str:
    """One display block: `$$` with an environment inside, or a bare equation environment."""
    x, y = rng.choice(SYMBOLS), rng.choice(SYMBOLS)
    i = rng.choice(INDICES)
    g, h = "\\" + rng.choice(GREEK), "\\" + rng.choice(GREEK)
    n = rng.randint(2, 8)
    kind = rng.choice(("aligned", "array", "pmatrix", "cases", "equation", "inline-equation"))
    if kind == "aligned":
        lines = [
            f"{x}_{{t+1}} &= {x}_t - {g}\\, \\nabla f({x}_t) \\\\",
            f"&= {x}_t - {g} \\sum_{{{i}=1}}^{{{n}}} {h}_{i} * \\nabla f_{i}({x}_t) \\\\",
            f"&\\le \\|{x}_0 - {x}^*\\|^2 / (2{g} t)",
        ]
        return "$$\n\\begin{aligned}\n" + "\n".join(lines) + "\n\\end{aligned}\n$$"
    if kind == "array":
        rows = [f"{x}_{k} & |{y}_{k}| & {k * n}" for k in range(1, 4)]
        return (
            "$$\n\\begin{array}{l|cr}\n"
            + f"\\text{{项}} & \\text{{模}} & {g} \\\\\n\\hline\n"
            + " \\\\\n".join(rows)
            + "\n\\end{array}\n$$"
        )
    if kind == "pmatrix":
        return (
            "$$\n"
            f"\\mathcal{{R}}_{{{g}}} = \\begin{{pmatrix}} \\cos {n}{g} & -\\sin {n}{g} \\\\ "
            f"\\sin {n}{g} & \\cos {n}{g} \\end{{pmatrix}},\\quad\n"
            f"+ {h} \\| W \\|_F^2\n"
            "$$"
        )
    if kind == "cases":
        return (
            f"$$\\sigma({x}) = \\begin{{cases}} 0, & {x} < 0 \\\\ {x}^{n}, & 0 \\le {x} < 1 "
            f"\\\\ 1, & {x} \\ge 1 \\end{{cases}}$$"
        )
    if kind == "equation":
        return (
            "\\begin{equation}\n"
            f"p_{g}({x}_{{0:T}}) = p({x}_T) \\prod_{{t=1}}^{{T}} p_{g}({x}_{{t-1}} | {x}_t)"
            f" \\label{{eq:{rng.randrange(10**6)}}}\n"
            "\\end{equation}"
        )
    return (
        f"$$\\begin{{equation}} {h}^* = \\arg\\min_{{{h}}} \\; \\mathbb{{E}}_{{{x}}}\\big["
        f"\\|{y}_{h}({x}) - {x}\\|^2\\big] + {g}\\,|{h}|_1 \\end{{equation}}$$"
    )


# --- prose -----------------------------------------------------------------


def _chinese_sentence(rng: random.Random) -> str:
    core = f"{rng.choice(OPENINGS)}，{rng.choice(TOPICS)}{rng.choice(VERBS)}{rng.choice(TOPICS)}"
    if rng.random() < 0.45:
        core += "，" + rng.choice(ASIDES)
    return core + rng.choice("。。。。！？")


def _english_sentence(rng: random.Random) -> str:
    words = rng.choices(ENGLISH, k=rng.randint(7, 16))
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _paragraph(rng: random.Random, math_spans: int) -> str:
    """Mostly Chinese paragraphs, some English, with inline math between sentences."""
    chinese = rng.random() < 0.7
    pieces = [
        _chinese_sentence(rng) if chinese else _english_sentence(rng)
        for _ in range(rng.randint(2, 5))
    ]
    if chinese and rng.random() < 0.3:
        pieces.append(_english_sentence(rng))
    for _ in range(math_spans):
        lead = rng.choice(("记", "这里", "令", "where", "with", "and", ""))
        pieces.insert(rng.randint(0, len(pieces)), f"{lead} {_inline_math(rng)}".strip() + "，")
    return _join(pieces)


def _join(pieces: list[str]) -> str:
    """Sentences side by side, with a space only where Latin text or math meets."""
    text = pieces[0]
    for piece in pieces[1:]:
        text += (" " if text[-1].isascii() or piece[0].isascii() else "") + piece
    return text


def _code_block(rng: random.Random, index: int) -> str:
    name = f"step_{index}_{rng.randrange(100)}"
    lr = round(rng.uniform(1e-4, 1e-1), 5)
    size = rng.choice((16, 64, 256, 1024))
    kind = rng.randrange(3)
    if kind == 0:
        code = [
            "import numpy as np",
            "",
            f"def {name}(x, lr={lr}):",
            '    """One gradient step on 0.5 * ||x||^2."""',
            "    grad = x  # d/dx of 0.5 * x**2",
            "    return x - lr * grad",
            "",
            f"x = np.random.default_rng({index}).normal(size={size})",
            f"print(np.linalg.norm({name}(x)))",
        ]
    elif kind == 1:
        code = [
            "import torch",
            "",
            f"def {name}(q, k, v):",
            "    scores = q @ k.transpose(-2, -1) * q.shape[-1] ** -0.5",
            "    return torch.softmax(scores, dim=-1) @ v  # [batch, n, d]",
        ]
    else:
        code = [
            f"def {name}(f, a, b, n={size}):",
            "    # composite Simpson rule; n must be even",
            "    h = (b - a) / n",
            "    s = f(a) + f(b)",
            "    for k in range(1, n):",
            "        s += (4 if k % 2 else 2) * f(a + k * h)",
            "    return s * h / 3",
        ]
    return "```python\n" + "\n".join(code) + "\n```"


def _figure(rng: random.Random) -> str:
    caption = rng.choice(CAPTIONS)
    image = f"/images/plot-{rng.randrange(IMAGE_COUNT):02d}.png"
    return f'![{caption}]({image} "{caption}")\n*图 {rng.randint(1, 6)}：{caption}*'


def _body(rng: random.Random, index: int) -> str:
    """4-8 KB of Markdown: lead paragraph, <!--more-->, then sections of prose and blocks."""
    blocks = [_display_math(rng) for _ in range(rng.randint(2, 5))]
    blocks += [_code_block(rng, index), _figure(rng)]
    if rng.random() < 0.3:
        blocks.append("\n".join(f"- {_chinese_sentence(rng)}" for _ in range(rng.randint(2, 4))))
    if rng.random() < 0.25:
        blocks.append(f"> {_english_sentence(rng)} {_chinese_sentence(rng)}")
    inline_left = rng.randint(5, 15)
    parts = [_paragraph(rng, 1), "<!--more-->"]
    inline_left -= 1
    size = sum(len(b.encode()) for b in blocks) + len(parts[0].encode())
    target = rng.randint(3600, 7600)
    section = 0
    while blocks or size < target:
        if len(parts) % 4 == 2:
            section += 1
            parts.append(f"## {section}. {rng.choice(TOPICS)}{rng.choice(('', '的推导', '再探'))}")
        if blocks and rng.random() < 0.4:
            parts.append(blocks.pop(rng.randrange(len(blocks))))
            continue
        spans = min(inline_left, rng.randint(1, 3))
        inline_left -= spans
        text = _paragraph(rng, spans)
        parts.append(text)
        size += len(text.encode()) + 2
    parts.append(f"*（合成语料，第 {index} 篇。）*")
    return "\n\n".join(parts) + "\n"


# --- metadata ----------------------------------------------------------------


def tag_names(seed: int) -> list[str]:
    """The 200 tags of the site, most popular first (popularity follows this order)."""
    names = list(ENGLISH_TAGS)
    names += [t for t in TOPICS if t not in names]
    names += [t + s for t in TOPICS for s in TAG_SUFFIXES]
    names = list(dict.fromkeys(names))[:TAG_COUNT]
    random.Random(f"tags:{seed}").shuffle(names)
    return names


def _zipf(count: int, exponent: float) -> list[float]:
    return [(rank + 1) ** -exponent for rank in range(count)]


def _series(seed: int, index: int) -> tuple[str, int] | None:
    """Each run of SERIES_SPAN posts holds one series of SERIES_PARTS posts, spaced out."""
    run, offset = divmod(index, SERIES_SPAN)
    rng = random.Random(f"series:{seed}:{run}")
    gap = rng.randint(1, 4)
    start = rng.randint(0, SERIES_SPAN - 1 - gap * (SERIES_PARTS - 1))
    part, rest = divmod(offset - start, gap)
    if offset < start or rest or part >= SERIES_PARTS:
        return None
    name = f"{SERIES_TITLES[run % len(SERIES_TITLES)]} · 第{run // len(SERIES_TITLES) + 1}季"
    return name, part + 1


def make_post(seed: int, index: int, tags: list[str] | None = None) -> Post:
    """Post `index` of the corpus; the same (seed, index) always gives the same post."""
    tags = tags if tags is not None else tag_names(seed)
    rng = random.Random(f"post:{seed}:{index}")
    title = f"{rng.choice(TOPICS)}{rng.choice(('与', '中的', '视角下的'))}{rng.choice(TOPICS)}"
    if rng.random() < 0.35:
        title += rng.choice(("：推导与直觉", "（续）", "：一个反例", "的几点注记"))
    if rng.random() < 0.25:
        title += " | " + " ".join(rng.choices(ENGLISH, k=3)).title()
    words = rng.sample(ENGLISH_TAGS, 2)
    chosen = rng.choices(tags, weights=_zipf(len(tags), 0.8), k=rng.randint(2, 6))
    series = _series(seed, index)
    return Post(
        index=index,
        slug=f"p{index:05d}-{words[0]}-{words[1]}",
        title=title,
        date=NEWEST_DATE - timedelta(hours=16 * index, minutes=rng.randrange(600)),
        category=rng.choices(CATEGORIES, weights=_zipf(CATEGORY_COUNT, 0.9))[0],
        tags=tuple(dict.fromkeys(chosen)),
        series=series[0] if series else None,
        series_index=series[1] if series else None,
        body=_body(rng, index),
    )


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def _yaml_header(post: Post, categories_key: str) -> str:
    lines = [
        "---",
        f"title: {_quoted(post.title)}",
        f"date: {post.date.isoformat()}",
        f"{categories_key}: [{_quoted(post.category)}]",
        "tags: [" + ", ".join(_quoted(t) for t in post.tags) + "]",
        f"slug: {post.slug}",
    ]
    if post.series:
        lines += [f"series: {_quoted(post.series)}", f"series_index: {post.series_index}"]
    return "\n".join([*lines, "---", "", ""])


def _pelican_header(post: Post) -> str:
    lines = [
        f"Title: {post.title}",
        f"Date: {post.date:%Y-%m-%d %H:%M}",
        f"Category: {post.category}",
        "Tags: " + ", ".join(post.tags),
        f"Slug: {post.slug}",
    ]
    if post.series:
        lines += [f"Series: {post.series}", f"Series_index: {post.series_index}"]
    return "\n".join([*lines, "", ""])


def post_text(target: str, post: Post) -> str:
    """The source file of `post` as `target` reads it."""
    if target == "pelican":
        return _pelican_header(post) + post.body
    return _yaml_header(post, "categories") + post.body


def post_path(target: str, post: Post) -> str:
    """Where `post` lives, relative to the corpus folder."""
    folder = "content" if target == "pelican" else "content/posts"
    return f"{folder}/{post.slug}.md"


# --- site skeletons ------------------------------------------------------------

SITEGEN_TOML = """\
# benchmarks/corpus.py, sitegen target
[site]
title = "Benchmark Blog"
base_url = "https://bench.example/"
language = "zh-CN"
timezone = "Asia/Shanghai"

[build]
posts_per_page = 10
# Feeds as sitegen's default, like the shared generator's sitegen target: the 20 newest
# posts in full (Hugo's and Pelican's 100 items carry summaries only).
"""

HUGO_TOML = """\
# benchmarks/corpus.py, hugo target
baseURL = "https://bench.example/"
title = "Benchmark Blog"
locale = "zh-cn"
timeZone = "Asia/Shanghai"
hasCJKLanguage = true

[taxonomies]
  category = "categories"
  tag = "tags"

[pagination]
  pagerSize = 10

[services.rss]
  limit = 100

[markup.goldmark.renderer]
  unsafe = true  # keep <!--more--> and raw HTML, as the other two do

# Hand $...$ and $$...$$ to MathJax untouched, the way Hugo math blogs are set up.
[markup.goldmark.extensions.passthrough]
  enable = true
  [markup.goldmark.extensions.passthrough.delimiters]
    inline = [["$", "$"], ["\\\\(", "\\\\)"]]
    block = [["$$", "$$"], ["\\\\[", "\\\\]"]]
"""

# The template layout of Hugo >= 0.146: layouts/{baseof,single,list,taxonomy,term}.html.
HUGO_BASEOF = """\
<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{{ .Title }} · {{ site.Title }}</title>
{{ range .AlternativeOutputFormats }}<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" \
href="{{ .Permalink }}">{{ end }}
</head>
<body>
<nav><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
{{ range site.Taxonomies.categories.ByCount }} <a href="{{ .Page.RelPermalink }}">\
{{ .Page.Title }}</a>{{ end }}</nav>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
"""
HUGO_SINGLE = """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p>{{ .Date.Format "2006-01-02 15:04" }}
{{ range .GetTerms "categories" }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</p>
{{ with .Params.series }}<p>{{ . }} · {{ $.Params.series_index }}</p>{{ end }}
{{ .Content }}
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>\
{{ end }}</ul>
{{ with .PrevInSection }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</article>
{{ end }}
"""
# Home, section and term pages: a paginated list of excerpts. (Not `cond`: it evaluates
# both branches, and a `where` over every page on each of thousands of list pages is
# quadratic work that would make Hugo look slower than it is.)
HUGO_LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $posts := .Pages }}
{{ if .IsHome }}{{ $posts = where site.RegularPages "Section" "posts" }}{{ end }}
{{ $pager := .Paginate $posts }}
{{ range $pager.Pages }}
<section>
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time>{{ .Date.Format "2006-01-02" }}</time>
{{ .Summary }}
{{ if .Truncated }}<a href="{{ .RelPermalink }}">继续阅读</a>{{ end }}
</section>
{{ end }}
{{ with $pager.Prev }}<a href="{{ .URL }}">上一页</a>{{ end }}
{{ $pager.PageNumber }}/{{ $pager.TotalPages }}
{{ with $pager.Next }}<a href="{{ .URL }}">下一页</a>{{ end }}
{{ end }}
"""
HUGO_TAXONOMY = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> \
{{ .Count }}</li>{{ end }}</ul>
{{ end }}
"""
HUGO_LAYOUTS = {
    "baseof.html": HUGO_BASEOF,
    "single.html": HUGO_SINGLE,
    "list.html": HUGO_LIST,
    "taxonomy.html": HUGO_TAXONOMY,
    "term.html": HUGO_LIST,
}

PELICANCONF = """\
# benchmarks/corpus.py, pelican target; the default theme.
AUTHOR = "Bench"
SITENAME = "Benchmark Blog"
SITEURL = "https://bench.example"
PATH = "content"
STATIC_PATHS = ["images"]
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"

DEFAULT_PAGINATION = 10
SUMMARY_MAX_PARAGRAPHS = 1  # the first paragraph, i.e. what sits above <!--more-->

FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
FEED_ALL_RSS = "feeds/all.rss.xml"
CATEGORY_FEED_RSS = "feeds/{slug}.rss.xml"
TAG_FEED_RSS = "feeds/tag-{slug}.rss.xml"
FEED_MAX_ITEMS = 100
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""

# What someone who rebuilds often turns on.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
"""


def _png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    """A solid-colour RGB PNG, written by hand so that no imaging library is needed."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    row = b"\x00" + bytes(colour) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(row * height)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def write_skeleton(target: str, out: Path) -> None:
    """Config, layouts and images: everything but the posts."""
    if target == "sitegen":
        _write(out / "sitegen.toml", SITEGEN_TOML)
        images = out / "static" / "images"
    elif target == "hugo":
        _write(out / "hugo.toml", HUGO_TOML)
        for name, text in HUGO_LAYOUTS.items():
            _write(out / "layouts" / name, text)
        images = out / "static" / "images"
    else:
        _write(out / "pelicanconf.py", PELICANCONF)
        images = out / "content" / "images"
    images.mkdir(parents=True, exist_ok=True)
    for k in range(IMAGE_COUNT):
        colour = (40 + 13 * k, 200 - 9 * k, (97 * k) % 256)
        (images / f"plot-{k:02d}.png").write_bytes(_png(12, 8, colour))


def write_corpus(target: str, posts: int, out: Path, seed: int = DEFAULT_SEED) -> int:
    """Write the whole corpus into the empty folder `out`; return the bytes of Markdown."""
    write_skeleton(target, out)
    tags = tag_names(seed)
    manifest, total = [], 0
    for index in range(posts):
        post = make_post(seed, index, tags)
        text = post_text(target, post)
        _write(out / post_path(target, post), text)
        total += len(text.encode())
        entry = asdict(post)
        del entry["body"]
        entry["date"] = post.date.isoformat()
        manifest.append({"path": post_path(target, post), **entry})
    info = {"target": target, "seed": seed, "posts": manifest}
    _write(out / MANIFEST, json.dumps(info, ensure_ascii=False, indent=1) + "\n")
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True, choices=TARGETS)
    parser.add_argument("--posts", required=True, type=int, metavar="N")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="replace DIR if it holds files")
    args = parser.parse_args(argv)
    if args.posts < 0:
        parser.error("--posts must be 0 or more")
    if args.out.exists() and any(args.out.iterdir()):
        if not args.force:
            parser.error(f"{args.out} is not empty (pass --force to replace it)")
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    size = write_corpus(args.target, args.posts, args.out, args.seed)
    print(f"{args.target}: {args.posts} posts, {size / 1e6:.1f} MB of Markdown in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
