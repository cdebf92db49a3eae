"""Parse each plan once: ParsedDocuments cached on disk by file content and builder version.

A corpus of every city's plans is rebuilt often (a plan is added, a curated table changes) and
parsing is most of the cost; a document whose bytes have not changed parses the same as last
time, so its ParsedDocument is kept as a pickle named after the sha256 of its bytes, under a
folder named after the builder fingerprint (parser code + curated data): changing either
starts a fresh folder, so nothing stale is ever read.

Parsing is independent per document, so ``ParseCache.prefetch`` parses the files not yet
cached in worker processes; the results are keyed by content, so the build that follows is
the same whatever the number of workers.

Nothing here knows where the cache lives: the caller (``respgraph.store``) picks the folder,
the fingerprint and the secret and makes the cache active for a build with ``using``. Without
an active cache, ``parse_path`` just parses.

A pickle runs code when it is loaded, so no entry is unpickled before its HMAC-SHA256 is
checked: each file is ``MAGIC + mac + pickle``, the mac keyed by the home's random secret
(``files.home_secret``, a 0600 file) over the entry's key and the pickle. An entry that someone
else wrote (or that was truncated, or signed with another secret) is a miss: the file is parsed
again, and nothing in the entry runs. A cache made without a secret signs with a random key of
its process: its entries serve that process only.

Inputs that are not regular files (a FIFO, a device) are refused (``files.UnsafePath``,
reported as the file's failure) before any byte is read: a FIFO would wait forever.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import multiprocessing
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

from .files import UnsafePath, read_input, write_atomic
from .model import ParsedDocument
from .parse import parse_document
from .read import SourceError, read_source

PARALLEL_MIN_FILES = 16  # below this, starting worker processes costs more than it saves
SUFFIX = ".pickle"
MAGIC = b"respgraph-parsed-1\n"  # then the 32-byte HMAC-SHA256, then the pickle
_PROCESS_SECRET = os.urandom(32)  # for a cache given no secret: its entries serve this process only


def sign(secret: bytes, key: str, payload: bytes) -> bytes:
    """A cache file's bytes: MAGIC, the HMAC of (key, payload) under ``secret``, the payload."""
    return MAGIC + hmac.new(secret, key.encode("ascii") + b"\0" + payload, hashlib.sha256).digest() + payload


def verified(secret: bytes, key: str, blob: bytes) -> bytes | None:
    """The payload of a cache file whose MAC checks out under ``secret``, else None."""
    if not blob.startswith(MAGIC):
        return None
    mac, payload = blob[len(MAGIC):len(MAGIC) + 32], blob[len(MAGIC) + 32:]
    expected = hmac.new(secret, key.encode("ascii") + b"\0" + payload, hashlib.sha256).digest()
    return payload if hmac.compare_digest(mac, expected) else None


def read_plan(path: str | os.PathLike) -> bytes:
    """The bytes of a plan file; a FIFO, device or socket is a SourceError, never read."""
    try:
        return read_input(path)
    except UnsafePath as error:
        raise SourceError(str(error)) from None


class ParseCache:
    """ParsedDocuments under ``folder/<fingerprint>/<sha256>.pickle``, with hit/miss counters.

    ``secret``: the key of the entries' MACs (None: a random key of this process).
    """

    def __init__(self, folder: str | os.PathLike, fingerprint: str, secret: bytes | None = None):
        self.root = Path(folder)
        self.fingerprint = fingerprint
        self.secret = secret or _PROCESS_SECRET
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
            raw = read_plan(file)
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

    def prefetch(self, paths: list[str | os.PathLike], workers: int | None = None,
                 on_progress: Callable[[str, int, int | None], None] | None = None) -> int:
        """Parse the files not yet cached, in parallel when there are many; return how many.

        ``on_progress`` hears ("parsing", files done, files to parse) as the workers finish them.
        The parsed documents are kept in memory for the ``parse`` calls of the build that
        follows (each is handed out once) and written to disk for the next build. Files that
        fail to read or parse are left to ``parse``, which raises the reader's error.
        """
        missing: dict[str, Path] = {}
        for path in map(Path, paths):
            try:
                key = self.key(path, read_plan(path))
            except (OSError, SourceError):
                continue  # ``parse`` says why
            if key not in missing and not (self.folder / (key + SUFFIX)).exists():
                missing[key] = path
        workers = workers or available_cores()
        if len(missing) < PARALLEL_MIN_FILES or workers < 2:
            return 0  # ``parse`` parses them one by one, as cheaply
        jobs = sorted(missing.items(), key=lambda item: str(item[1]))
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        if on_progress is not None:
            on_progress("parsing", 0, len(jobs))
        tasks = [(str(self.folder), k, str(p), self.secret) for k, p in jobs]
        with context.Pool(workers) as pool:
            for done, (key, blob) in enumerate(pool.imap_unordered(_parse_job, tasks, chunksize=8), 1):
                if blob is not None:
                    self._prefetched[key] = pickle.loads(blob)
                if on_progress is not None:
                    on_progress("parsing", done, len(jobs))
        return len(missing)

    def prune(self) -> None:
        """Remove the folders of other builder versions: their entries can never be read again."""
        if not self.root.is_dir():
            return
        for other in self.root.iterdir():
            if other.is_dir() and other.name != self.fingerprint:
                shutil.rmtree(other, ignore_errors=True)

    def _load(self, key: str) -> ParsedDocument | None:
        """The entry of ``key`` if this home's secret signed it; anything else is a miss."""
        try:
            payload = verified(self.secret, key, read_input(self.folder / (key + SUFFIX)))
        except (OSError, UnsafePath):  # missing, unreadable, a FIFO planted in its place
            return None
        if payload is None:
            return None  # not signed with this home's secret: never unpickled
        try:
            doc = pickle.loads(payload)
        except Exception:  # signed by us, yet unreadable (an older class layout): a miss
            return None
        return doc if isinstance(doc, ParsedDocument) else None

    def _store(self, key: str, blob: bytes) -> None:
        try:
            write_atomic(self.folder / (key + SUFFIX), sign(self.secret, key, blob), sync=False)
        except (OSError, UnsafePath):
            pass  # a read-only or full cache folder slows builds down, it never fails them


def _parse_job(job: tuple[str, str, str, bytes]) -> tuple[str, bytes | None]:
    """Worker: parse one file, write its signed cache entry, return the pickled document (None on
    failure; it goes back to the parent through the pool's pipe, never through a file)."""
    folder, key, path, secret = job
    try:
        doc = parse_document(read_source(path))
    except Exception:
        return key, None
    blob = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        write_atomic(Path(folder) / (key + SUFFIX), sign(secret, key, blob), sync=False)
    except (OSError, UnsafePath):
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
        with contextlib.suppress(OSError):  # missing, a folder: the reader says so in its own words
            read_plan(path)  # a FIFO or device is refused here, before the reader would block on it
        return parse_document(read_source(path))
    return _active.parse(path)
