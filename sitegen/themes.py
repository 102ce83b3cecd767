"""Where a site's theme lives: its own themes/NAME, then the default theme, file by file.

Kept apart from render.py (and Jinja) because a build that finds nothing changed must
look at the theme's files without paying for the template machinery.
"""

from __future__ import annotations

from pathlib import Path

from sitegen.config import Config

PACKAGE = Path(__file__).parent


def default_theme_dir() -> Path:
    """The theme shipped in the wheel, or the repository's themes/default in a checkout."""
    shipped = PACKAGE / "_theme"
    return shipped if shipped.is_dir() else PACKAGE.parent / "themes" / "default"


def theme_dirs(config: Config) -> list[Path]:
    """Theme folders, most specific first: the site's own theme, then the default."""
    dirs = [config.root / "themes" / config.build.theme]
    if config.build.theme != "default":
        dirs.append(config.root / "themes" / "default")
    dirs.append(default_theme_dir())
    unique: list[Path] = []
    for folder in dirs:
        if folder.is_dir() and folder.resolve() not in {d.resolve() for d in unique}:
            unique.append(folder)
    return unique


def template_dirs(config: Config) -> list[Path]:
    """A site's `templates/` overrides any theme's files one by one."""
    folders = [config.root / "templates"] + [d / "templates" for d in theme_dirs(config)]
    return [folder for folder in folders if folder.is_dir()]
