"""User-facing errors: every problem with a user's input, located at path:line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SiteError(Exception):
    """A mistake in the user's input, printed as `path:line:col: message — hint`.

    It is an exception so a stage can stop at it, and a value so a stage can
    collect many and the build can report them all at the end.
    """

    path: str
    line: int | None
    message: str
    hint: str = ""
    column: int | None = None

    def __reduce__(self) -> tuple:  # pickled to and from worker processes, keywords too
        return (SiteError, (self.path, self.line, self.message, self.hint, self.column))

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


class BuildFailed(Exception):
    """Raised when a build found user errors; carries all of them."""

    def __init__(self, errors: list[SiteError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors
