"""Parse each plan once: ParsedDocuments cached on disk by file content and builder version.

A corpus of every city's plans is rebuilt often (a plan is added, a curated table changes) and
parsing is most of the cost; a document whose bytes have not changed parses the same as last
time, so its ParsedDocument is kept as a pickle named after the sha256 of its bytes, under a
folder named after the builder fingerprint (parser code + curated data): changing either
starts a fresh folder, so nothing stale is ever read.

Parsing is independent per document, so ``ParseCache.prefetch`` parses the files not yet
cached in worker processes; the results are keyed by content, so the build that follows is
the same whatever the number of workers.

Nothing here knows where the cache lives: the caller (``respgraph.store``) picks the folder and
the fingerprint and makes the cache active for a build with ``using``. Without an active
cache, ``parse_path`` just parses.
"""
from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import pickle
import shutil
from pathlib import Path

from .model import ParsedDocument
from .parse import parse_document
from .read import read_source
from .snapshot import write_atomic

PARALLEL_MIN_FILES = 16  # below this, starting worker processes costs more than it saves
SUFFIX = ".pickle"


class ParseCache:
    """ParsedDocuments under ``folder/<fingerprint>/<sha256>.pickle``, with hit/miss counters."""

    def __init__(self, folder: str | os.PathLike, fingerprint: str):
        self.root = Path(folder)
        self.fingerprint = fingerprint
        self.folder = self.root / fingerprint
        self.hits = 0
        self.misses = 0
        self._prefetched: dict[str, ParsedDocument] = {}

    def key(self, path: Path, raw: bytes) -> str:
        """The cache key of a file: its bytes and its suffix (which picks the reader)."""
        digest = hashlib.sha256(path.suffix.lower().encode("utf-8") + b"\0")
        digest.update(raw)
        return digest.hexdigest()

    def parse(self, path: str | os.PathLike) -> ParsedDocument:
        """The file's ParsedDocument: from memory or disk when its bytes were parsed before."""
        file = Path(path)
        try:
            raw = file.read_bytes()
        except OSError:
            # Missing file, a folder, no permission: let the reader say so in its own words.
            return parse_document(read_source(file))
        key = self.key(file, raw)
        doc = self._prefetched.pop(key, None) or self._load(key)
        if doc is not None:
            self.hits += 1
            doc.source.path = str(file)  # the same bytes may sit under another name now
            return doc
        self.misses += 1
        doc = parse_document(read_source(file))
        self._store(key, pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))
        return doc

    def prefetch(self, paths: list[str | os.PathLike], workers: int | None = None) -> int:
        """Parse the files not yet cached, in parallel when there are many; return how many.

        The parsed documents are kept in memory for the ``parse`` calls of the build that
        follows (each is handed out once) and written to disk for the next build. Files that
        fail to read or parse are left to ``parse``, which raises the reader's error.
        """
        missing: dict[str, Path] = {}
        for path in map(Path, paths):
            try:
                key = self.key(path, path.read_bytes())
            except OSError:
                continue
            if key not in missing and not (self.folder / (key + SUFFIX)).exists():
                missing[key] = path
        workers = workers or available_cores()
        if len(missing) < PARALLEL_MIN_FILES or workers < 2:
            return 0  # ``parse`` parses them one by one, as cheaply
        jobs = sorted(missing.items(), key=lambda item: str(item[1]))
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        with context.Pool(workers) as pool:
            for key, blob in pool.imap_unordered(_parse_job, [(str(self.folder), k, str(p)) for k, p in jobs],
                                                 chunksize=8):
                if blob is not None:
                    self._prefetched[key] = pickle.loads(blob)
        return len(missing)

    def prune(self) -> None:
        """Remove the folders of other builder versions: their entries can never be read again."""
        if not self.root.is_dir():
            return
        for other in self.root.iterdir():
            if other.is_dir() and other.name != self.fingerprint:
                shutil.rmtree(other, ignore_errors=True)

    def _load(self, key: str) -> ParsedDocument | None:
        try:
            with open(self.folder / (key + SUFFIX), "rb") as handle:
                doc = pickle.load(handle)
        except FileNotFoundError:
            return None
        except Exception:  # a truncated or foreign file is a miss, never an error
            return None
        return doc if isinstance(doc, ParsedDocument) else None

    def _store(self, key: str, blob: bytes) -> None:
        try:
            write_atomic(self.folder / (key + SUFFIX), blob, sync=False)
        except OSError:
            pass  # a read-only or full cache folder slows builds down, it never fails them


def _parse_job(job: tuple[str, str, str]) -> tuple[str, bytes | None]:
    """Worker: parse one file, write its cache entry, return the pickled document (None on failure)."""
    folder, key, path = job
    try:
        doc = parse_document(read_source(path))
    except Exception:
        return key, None
    blob = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        write_atomic(Path(folder) / (key + SUFFIX), blob, sync=False)
    except OSError:
        pass
    return key, blob


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_active: ParseCache | None = None


@contextlib.contextmanager
def using(cache: ParseCache | None):
    """Make ``cache`` the one ``parse_path`` uses inside the ``with`` block."""
    global _active
    previous, _active = _active, cache
    try:
        yield cache
    finally:
        _active = previous


def parse_path(path: str | os.PathLike) -> ParsedDocument:
    """Read and parse one plan file, through the active cache when there is one."""
    if _active is None:
        return parse_document(read_source(path))
    return _active.parse(path)
