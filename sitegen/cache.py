"""The .sitegen/ folder: what the last builds parsed and wrote, so the next one can skip it.

One SQLite file in WAL mode, so a build killed half-way leaves the last committed cache, never
a torn one. A cache that is damaged or was written by another sitegen is thrown away with a
one-line notice, and one that cannot be written is replaced by an in-memory one: the cache
only ever makes a build faster, never different.
"""

from __future__ import annotations

import fcntl
import hashlib
import marshal
import os
import pickle
import re
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from sitegen import __version__
from sitegen.document import Withheld
from sitegen.errors import SiteError

FORMAT = 2
DATABASE = "cache.sqlite"
LOCK = "lock"
LOCK_WAIT_SECONDS = 120.0
KEPT_OPTIONS = 3  # sets of parse options whose parsed sources are kept
# A file changed this recently may change again within the file system's clock tick without
# its size or time changing: such a file's stat is not trusted next time (as git does).
RACY_NS = 100_000_000
MMAP_BYTES = 1 << 30

PACKAGE = Path(__file__).parent


# The libraries whose versions shape the output bytes (a new Pygments highlights differently).
LIBRARIES = (
    "markdown-it-py",
    "mdit-py-plugins",
    "pygments",
    "jinja2",
    "markupsafe",
    "feedgen",
    "pyyaml",
    "python-slugify",
)


@lru_cache(maxsize=1)
def code_version() -> str:
    """sitegen's own code and its libraries' versions: a cache from other code is not used."""
    digest = hashlib.blake2b(f"{FORMAT}:{__version__}".encode(), digest_size=16)
    digest.update(repr(installed_versions(LIBRARIES)).encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in {".py", ".js"} and "_theme" not in path.parts:
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def installed_versions(names: Iterable[str]) -> list[str]:
    """Each library's installed version, read off the name of its `NAME-VERSION.dist-info`
    folder (the layout pip installs wheels in) in one listing of each folder of sys.path,
    first found first as importlib.metadata does: importing that and asking it took 45 ms
    of every build. It is asked about a library installed otherwise."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names_there = os.listdir(folder or ".")
        except OSError:  # a zip file, a folder gone
            continue
        for entry in names_there:
            if entry.endswith(".dist-info"):
                name, _, number = entry.removesuffix(".dist-info").partition("-")
                found.setdefault(_normal_name(name), number)
    versions = []
    for name in names:
        number = found.get(_normal_name(name))
        if number is None:
            from importlib.metadata import version

            number = version(name)
        versions.append(number)
    return versions


def _normal_name(name: str) -> str:
    """As wheels spell a distribution's name (PEP 503 and 427)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def digest(*parts: bytes | str) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(part.encode() if isinstance(part, str) else part)
        hasher.update(b"\0")
    return hasher.hexdigest()


# --- what is on disk ---------------------------------------------------------------------

# size, mtime, ctime in ns: ctime too, as git does, since a tool may set the mtime back
Stat = tuple[int, int, int]


def scan_files(folder: Path) -> dict[str, Stat]:
    """Every file below `folder` (dot-files and -folders skipped), by relative POSIX path."""
    found: dict[str, Stat] = {}
    _scan(str(folder), "", found)
    return found


def _scan(path: str, prefix: str, found: dict[str, Stat]) -> None:
    try:
        entries = list(os.scandir(path))
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        rel = prefix + entry.name
        if entry.is_dir():
            _scan(entry.path, rel + "/", found)
        elif entry.is_file():
            stat = entry.stat()
            found[rel] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def file_stat(path: Path | str) -> Stat | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def recent(stat: Stat, since_ns: int) -> bool:
    """Changed too recently to trust the stat next time (see RACY_NS)."""
    return stat[2] >= since_ns - RACY_NS


# --- the store ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CachedSource:
    """A source as the last build read it: its stat, its digest, and what it parsed into.

    What it parsed into (the bulk of the cache) is kept in a table of its own and read when
    first asked for (`Cache.parsed`): a build that parses one edited post does that in a
    worker while this process reads the rest."""

    digest: str
    stat: Stat | None
    assets: tuple[str, ...]  # a bundle's other files when it was parsed
    withheld: Withheld | None  # parsed without its body: when a build would publish it
    lint: bytes | None  # pickled linter findings, once `--strict` asked for them
    # a pickled Document or SiteError, when just parsed; None: it is in the database
    parsed: bytes | None = field(default=None, compare=False)


class Cache:
    """The store behind one site's builds; `serve` keeps one open across its rebuilds."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.notices: list[str] = []
        self._identity: tuple[int, int] | None = None  # of the file, to notice it deleted
        self._db = self._open()
        self._sources: dict[str, dict[str, CachedSource]] = {}  # by parse options
        self._stored: dict[str, dict[str, bytes]] = {}  # what they parsed into, once read
        self._states: dict[str, dict[str, Any] | None] = {}
        self._stamps: dict[str, dict[str, Any] | None] = {}  # read before their states
        self._volatile: set[str] = set()
        self._parsed: dict[str, tuple[bytes, Any]] = {}

    # Sources, per set of parse options (a --base-url build and a plain one can share a cache).

    def sources(self, options: str) -> dict[str, CachedSource]:
        if options not in self._sources:
            self._forget_old_options(options)
            rows = self._query(
                "SELECT rel, digest, size, mtime, ctime, assets, withheld, lint FROM sources "
                "WHERE options = ?",
                (options,),
            )
            self._sources[options] = {
                rel: CachedSource(
                    digest,
                    None if size is None else (size, mtime, ctime),
                    tuple(_unmarshal(assets) or ()),
                    _unpickle(withheld),
                    lint,
                )
                for rel, digest, size, mtime, ctime, assets, withheld, lint in rows
            }
        return self._sources[options]

    def parsed(self, options: str, rel: str, entry: CachedSource) -> Any:
        """What `entry` parsed into, unpickled once per content (serve's rebuilds reuse the
        objects); None if a cache file damaged since the build began lost it."""
        blob = entry.parsed
        if blob is None:
            stored = self._stored.get(options)
            if stored is None:
                try:
                    stored = self._read_parsed(options)
                except sqlite3.DatabaseError as error:
                    self._start_again(f"could not read the cache ({error})")
                    return None
            blob = stored.get(rel)
            if blob is None:
                return None
        known = self._parsed.get(rel)
        if known is None or known[0] is not blob:
            known = self._parsed[rel] = (blob, pickle.loads(blob))
        return known[1]

    def _read_parsed(self, options: str) -> dict[str, bytes]:
        query = "SELECT rel, parsed FROM parsed WHERE options = ?"
        stored = self._stored[options] = dict(self._db.execute(query, (options,)).fetchall())
        return stored

    def _forget_old_options(self, options: str) -> None:
        """Each set of parse options (a --base-url, each `serve` port) has its own parsed
        sources; only the most recently used few are kept, so the cache does not grow."""
        unused = "WHERE 'used:' || options NOT IN (SELECT key FROM meta WHERE key LIKE 'used:%')"
        self._write(
            [
                ("INSERT OR REPLACE INTO meta VALUES (?, ?)", [(f"used:{options}", time.time())]),
                (
                    "DELETE FROM meta WHERE key LIKE 'used:%' AND key NOT IN (SELECT key FROM "
                    "meta WHERE key LIKE 'used:%' ORDER BY CAST(value AS REAL) DESC LIMIT ?)",
                    [(KEPT_OPTIONS,)],
                ),
                (f"DELETE FROM sources {unused}", [()]),
                (f"DELETE FROM parsed {unused}", [()]),
            ]
        )

    def update_sources(
        self, options: str, changed: dict[str, CachedSource], removed: Iterable[str]
    ) -> None:
        """`changed` entries without `parsed` keep what is stored (a file touched, not
        changed)."""
        cached = self.sources(options)
        stored = self._stored.get(options, {})
        removed = [rel for rel in removed if rel in cached]
        for rel in removed:
            del cached[rel]
            stored.pop(rel, None)
        cached.update(changed)
        reparsed = [(options, rel, c.parsed) for rel, c in changed.items() if c.parsed is not None]
        for _, rel, blob in reparsed:
            stored[rel] = blob
        gone = [(options, rel) for rel in removed]
        self._write(
            [
                ("DELETE FROM sources WHERE options = ? AND rel = ?", gone),
                ("DELETE FROM parsed WHERE options = ? AND rel = ?", gone),
                (
                    "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            options,
                            rel,
                            c.digest,
                            *(c.stat or (None,) * 3),
                            marshal.dumps(c.assets),
                            c.withheld and pickle.dumps(c.withheld),
                            c.lint,
                        )
                        for rel, c in changed.items()
                    ],
                ),
                ("INSERT OR REPLACE INTO parsed VALUES (?, ?, ?)", reparsed),
            ]
        )

    # One state per output folder: what the last build into it wrote, and from what.

    def state(self, output: str) -> dict[str, Any] | None:
        """The state, its stamp (stored apart) included."""
        if output not in self._states:
            rows = self._query("SELECT state FROM builds WHERE output = ?", (output,))
            state = _unmarshal(rows[0][0]) if rows else None
            if state is not None:
                state["stamp"] = self.stamp(output)
            self._states[output] = state
        return self._states[output]

    def stamp(self, output: str) -> dict[str, Any] | None:
        """The small part of the state a no-change build needs; read before anything else."""
        if output in self._states:
            state = self._states[output]
            return state and state["stamp"]
        if output not in self._stamps:
            rows = self._query("SELECT stamp FROM builds WHERE output = ?", (output,))
            self._stamps[output] = _unmarshal(rows[0][0]) if rows else None
        return self._stamps[output]

    def keep_in_memory(self, output: str) -> None:
        """An output folder that lives no longer than this Cache and that nothing else
        writes to (serve's): its state is kept in memory only, and builds need not look
        for files changed or added behind their back."""
        self._volatile.add(output)
        self._states.setdefault(output, None)

    def private(self, output: str) -> bool:
        return output in self._volatile

    def save_state(self, output: str, state: dict[str, Any]) -> None:
        self._states[output] = state
        if output in self._volatile:
            return
        self._write(
            [
                (
                    "INSERT OR REPLACE INTO builds VALUES (?, ?, ?, NULL)",
                    [(output, marshal.dumps(state["stamp"]), marshal.dumps(_without_stamp(state)))],
                )
            ]
        )

    def pending(self, output: str) -> list[str]:
        if output in self._volatile:
            return []
        rows = self._query("SELECT pending FROM builds WHERE output = ?", (output,))
        return (_unmarshal(rows[0][0]) or []) if rows else []

    def mark_pending(self, output: str, paths: list[str]) -> None:
        """Files a build is about to create: if it is killed, the next one knows they are its
        own to replace or remove, not files someone else put there."""
        if paths and output not in self._volatile:
            self._write(
                [
                    (
                        "INSERT INTO builds (output, pending) VALUES (?, ?) ON CONFLICT(output) "
                        "DO UPDATE SET pending = excluded.pending",
                        [(output, marshal.dumps(paths))],
                    )
                ]
            )

    def forget(self, output: str) -> None:
        """An output folder that is gone (serve's temporary one): its state is of no use."""
        self._states.pop(output, None)
        self._stamps.pop(output, None)
        self._write([("DELETE FROM builds WHERE output = ?", [(output,)])])

    def close(self) -> None:
        self._db.close()

    # --- SQLite ---

    def _open(self) -> sqlite3.Connection:
        """The database file; a fresh one if it was damaged or written by other code, one in
        memory if none can be written."""
        path = self.folder / DATABASE
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            db = _connect(path)
            found = _format(db)
            if found == code_version():
                self._identity = _identity(path)
                return db
            if found is not None:
                self.notices.append(
                    f"the cache in {self.folder} is from another version of sitegen: starting clean"
                )
            db.close()
        except sqlite3.OperationalError as error:
            if not path.exists():  # the folder cannot be written
                return self._in_memory(error)
            self.notices.append(f"the cache {path} is damaged ({error}): starting clean")
        except sqlite3.DatabaseError as error:
            self.notices.append(f"the cache {path} is damaged ({error}): starting clean")
        except OSError as error:
            return self._in_memory(error)
        return self._fresh()

    def _fresh(self) -> sqlite3.Connection:
        path = self.folder / DATABASE
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _remove_database(path)
            db = _connect(path)
            _create(db)
            self._identity = _identity(path)
            return db
        except (OSError, sqlite3.Error) as error:
            return self._in_memory(error)

    def _in_memory(self, error: BaseException) -> sqlite3.Connection:
        reason = getattr(error, "strerror", None) or str(error)
        self.notices.append(
            f"cannot write the cache in {self.folder} ({reason}): building without it"
        )
        self._identity = None
        db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        _create(db)
        return db

    def _query(self, sql: str, args: tuple) -> list[tuple]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as error:
            self._start_again(f"could not read the cache ({error})")
            return []

    def _write(self, batches: list[tuple[str, list[tuple]]]) -> None:
        if self._identity is not None and _identity(self.folder / DATABASE) != self._identity:
            self._start_again("the cache was deleted during the build")
        try:
            with _transaction(self._db):
                for sql, rows in batches:
                    self._db.executemany(sql, rows)
        except sqlite3.DatabaseError as error:
            self._start_again(f"could not write the cache ({error})", in_memory=True)
            self._write(batches)

    def _start_again(self, why: str, *, in_memory: bool = False) -> None:
        """The file went bad or away mid-build: a new one gets what this build knows."""
        self.notices.append(f"{why}: writing a new one")
        for options in set(self._sources) - set(self._stored):  # what only the old file holds
            with suppress(sqlite3.Error):
                self._read_parsed(options)
        self._db.close()
        self._db = self._in_memory(RuntimeError(why)) if in_memory else self._fresh()
        known, self._sources = self._sources, {}
        stored, self._stored = self._stored, {}
        for options, cached in known.items():
            blobs = stored.get(options, {})
            kept = {  # with what they parsed into, if that could be read
                rel: c if c.parsed else replace(c, parsed=blobs[rel])
                for rel, c in cached.items()
                if c.parsed or rel in blobs
            }
            self.update_sources(options, kept, ())
        for output, state in self._states.items():
            if state is not None:
                self.save_state(output, state)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    # Read through a memory map, not a read() per page: reading 10,000 parsed posts
    # (100 MB) takes 0.05 s instead of 0.06-0.10 s. The file only grows (no VACUUM, and
    # another build waits for the lock), so the map never points past its end.
    db.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    return db


def _format(db: sqlite3.Connection) -> str | None:
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    except sqlite3.OperationalError:  # a new, empty file
        return None
    return row[0] if row else None


def _create(db: sqlite3.Connection) -> None:
    with _transaction(db):
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute(
            "CREATE TABLE IF NOT EXISTS sources (options TEXT, rel TEXT, digest TEXT, "
            "size INTEGER, mtime INTEGER, ctime INTEGER, assets BLOB, withheld BLOB, lint BLOB, "
            "PRIMARY KEY (options, rel))"
        )
        db.execute(
            "CREATE TABLE IF NOT EXISTS parsed (options TEXT, rel TEXT, parsed BLOB, "
            "PRIMARY KEY (options, rel))"
        )
        db.execute(
            "CREATE TABLE IF NOT EXISTS builds "
            "(output TEXT PRIMARY KEY, stamp BLOB, state BLOB, pending BLOB)"
        )
        db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (code_version(),))


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with suppress(OSError):
            Path(str(path) + suffix).unlink(missing_ok=True)


def _without_stamp(state: dict[str, Any]) -> dict[str, Any]:
    """The state as stored: its stamp is in a column of its own, read first (1.3 MB of
    output stats at 10,000 posts, once is enough)."""
    return {key: value for key, value in state.items() if key != "stamp"}


def _unpickle(data: bytes | None) -> Any:
    return pickle.loads(data) if data else None


def _unmarshal(data: bytes | None) -> Any:
    try:
        return marshal.loads(data) if data else None
    except (EOFError, ValueError, TypeError):
        return None


# --- one build at a time -----------------------------------------------------------------


@contextmanager
def site_lock(folder: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Two builds of one site would interleave their output: the second waits its turn.

    The lock is the kernel's (flock), so a killed build never leaves a stale one.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / LOCK, "a+b")  # noqa: SIM115 - held until the block ends
    except OSError:
        yield  # no cache folder to lock in: the cache notice says so
        return
    try:
        if not _try_lock(handle):
            print("waiting for another sitegen build of this site to finish…", file=sys.stderr)
            deadline = time.monotonic() + wait
            while not _try_lock(handle):
                if time.monotonic() > deadline:
                    raise SiteError(
                        str(folder / LOCK),
                        None,
                        f"another sitegen build of this site is still running after {wait:.0f} s",
                        "wait for it to finish, or stop it",
                    )
                time.sleep(0.05)
        yield
    finally:
        handle.close()  # closing releases the lock


def _try_lock(handle: Any) -> bool:
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
