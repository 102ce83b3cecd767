"""sitegen: a static site generator for math-heavy science blogs."""

__version__ = "0.1.0"
