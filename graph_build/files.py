"""Files on disk, safely: atomic writes, targets and inputs that must be regular files, the
temporary files of interrupted runs, the build lock and the secret of a respgraph home.

Every file respgraph writes (snapshot, query index, parse cache, exports, HTML pages) goes
through ``write_atomic``: a temporary file beside the target, renamed into place, so a crash
never leaves half a file where a good one stood. A target that exists and is not a regular
file (a folder, a FIFO, a device such as /dev/full) is refused with ``UnsafePath`` before
anything is written: renaming over it would replace a device node with a regular file.

Temporary files are named ``.<target>.rg<pid>.<random>``, so that ``sweep_temporaries`` can
tell respgraph's own leftovers from anything else in the folder and leave those of a process
still running alone. The build lock (``build_lock``) and the per-home secret (``home_secret``,
the key of the parse cache's MACs) live in the home.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from respgraph.errors import UsageProblem, WorkFailed

TEMP_MARK = "rg"  # .<name>.rg<pid>.<8 random characters>
_TEMP = re.compile(r"^\.(?P<name>.+)\.rg(?P<pid>\d+)\.[A-Za-z0-9_]{8}$")
# Names of respgraph's temporary files before they carried the writer's pid (mkstemp's 8 random
# characters after ".<name>."): removed only in the home, only for its own file names.
_LEGACY_TEMP = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}$")
STALE_SECONDS = 24 * 3600  # a temporary file this old is a leftover even if its pid was reused

LOCK_NAME = "build.lock"
SECRET_NAME = "secret.key"
SECRET_BYTES = 32
LOCK_TIMEOUT = 600.0  # seconds a build waits for another build into the same home (RESPGRAPH_LOCK_TIMEOUT)


class UnsafePath(ValueError, UsageProblem):
    """A path respgraph will not write to or read from: one human line (CLI exit code 2)."""


class WriteFailed(OSError, WorkFailed):
    """A file that could not be written, said of the file the user named."""

    def __str__(self) -> str:
        return self.strerror or super().__str__()


class BuildLocked(OSError, WorkFailed):
    """Another build into the same home held the lock for longer than the wait allowed."""


# -- what a path is ----------------------------------------------------------------------------

def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words ("a FIFO (named pipe)")."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISREG(mode):
        return "a regular file"
    return "not a regular file"


def check_target(path: str | os.PathLike, suffix_hint: str = "") -> Path:
    """The file to write for ``path``: refuse (``UnsafePath``) one that exists and is not a
    regular file; a symbolic link to a regular file is followed (the link stays a link).

    ``suffix_hint`` (".graphml") names the kind of file wanted, for the message about a directory.
    """
    target = Path(path)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return target  # nothing there yet (or a dangling link, which the rename replaces)
    except OSError as error:
        raise UnsafePath(describe_os_error(error, target)) from None
    if stat.S_ISREG(info.st_mode):
        return Path(os.path.realpath(target)) if target.is_symlink() else target
    if stat.S_ISDIR(info.st_mode):
        example = f"; give a file name such as {target / ('graph' + suffix_hint)}" if suffix_hint else "; give a file name"
        raise UnsafePath(f"{target} is a directory, not a regular file{example}")
    raise UnsafePath(f"{target} is {kind_of(info.st_mode)}, not a regular file; respgraph writes only regular files")


def check_folder(path: str | os.PathLike) -> Path:
    """A folder to write files into: refuse one that exists and is not a directory."""
    folder = Path(path)
    try:
        info = os.stat(folder)
    except FileNotFoundError:
        return folder
    except OSError as error:
        raise UnsafePath(describe_os_error(error, folder)) from None
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafePath(f"{folder} is {kind_of(info.st_mode)}, not a folder; name a folder to write the files into")
    return folder


def read_input(path: str | os.PathLike) -> bytes:
    """The bytes of an input file; ``UnsafePath`` for one that is not a regular file.

    The file is opened without blocking and checked on its descriptor, so a FIFO (which would
    wait for a writer forever) or a device (/dev/zero never ends) is refused, not read.
    """
    file = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(file, flags)
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(file))
        if not stat.S_ISREG(info.st_mode):
            raise UnsafePath(not_regular_input(file, info.st_mode))
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(descriptor, True)
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(descriptor)


def not_regular_input(file: Path, mode: int) -> str:
    return f"{file}: {kind_of(mode)}, not a regular file; respgraph reads plans from regular files only"


def check_input(path: str | os.PathLike) -> None:
    """Refuse (``UnsafePath``) an input that exists and is neither a regular file nor a folder."""
    try:
        info = os.stat(path)
    except OSError:
        return  # missing or unreadable: the reader says so in its own words
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        raise UnsafePath(not_regular_input(Path(path), info.st_mode))


# -- writing ---------------------------------------------------------------------------------

def new_file_mode() -> int:
    """The mode a newly written file gets (0666 less the umask): ``mkstemp`` makes 0600."""
    current = os.umask(0)
    os.umask(current)
    return 0o666 & ~current


def temp_prefix(target: Path) -> str:
    """The start of a temporary file's name for ``target``: ``.<name>.rg<pid>.``."""
    return f".{target.name}.{TEMP_MARK}{os.getpid()}."


def make_temp(target: str | os.PathLike, mode: int | None = None) -> tuple[int, Path]:
    """A new temporary file beside ``target`` (its folder made if needed): (open descriptor, path)."""
    target = Path(target)
    _make_folder(target.parent)
    handle, name = tempfile.mkstemp(prefix=temp_prefix(target), dir=target.parent)
    os.chmod(name, new_file_mode() if mode is None else mode)
    return handle, Path(name)


def make_temp_dir(target: str | os.PathLike) -> Path:
    """A new temporary folder beside ``target``, named as ``make_temp`` names files."""
    target = Path(target)
    _make_folder(target.parent)
    return Path(tempfile.mkdtemp(prefix=temp_prefix(target), dir=target.parent))


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UnsafePath(f"cannot create the folder {folder}: {_first_file(folder)} is a file, not a folder") from None
    except NotADirectoryError:
        raise UnsafePath(f"cannot create the folder {folder}: {_first_file(folder)} is a file, not a folder") from None


def _first_file(folder: Path) -> Path:
    """The first part of ``folder`` that exists and is not a directory (what blocks mkdir)."""
    for part in reversed([folder, *folder.parents]):
        if part.exists() and not part.is_dir():
            return part
    return folder


def write_atomic(path: str | os.PathLike, data: bytes | Iterable[bytes], sync: bool = True) -> None:
    """Write ``data`` (bytes, or an iterable of byte chunks) to a temporary file beside
    ``path``, then rename it into place.

    A crash or a failed build never leaves a half-written file where a good one stood, and a
    target that exists and is not a regular file is refused (``UnsafePath``) before anything is
    written. ``sync=False`` skips the fsync, for cache files that can always be made again.
    """
    target = check_target(path)
    try:
        handle, temp = make_temp(target)
    except OSError as error:  # said of the target, not of a temporary name the user never gave
        raise WriteFailed(error.errno, f"cannot write {target}: {reason(error)} (in {target.parent})") from None
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in ([data] if isinstance(data, (bytes, bytearray)) else data):
                out.write(chunk)
            out.flush()
            if sync:
                os.fsync(out.fileno())
        check_target(target)  # still not a device: something may have been put there meanwhile
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


# -- leftovers of interrupted runs ------------------------------------------------------------

def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OSError:
        return False
    return True


def sweep_temporaries(folder: str | os.PathLike, names: Iterable[str] | None = None, before: float | None = None,
                      legacy: Callable[[str], bool] | None = None) -> list[Path]:
    """Remove respgraph's temporary files (and folders) left in ``folder`` by runs that were
    killed; return what was removed.

    Only names ``make_temp`` gives (``.<name>.rg<pid>.XXXXXXXX``), for a ``name`` in ``names``
    (all names when None), older than ``before`` (a time.time(); default now), and only when
    their writer is no longer running or they are a day old. ``legacy(name)`` says which target
    names' temporary files of respgraph versions before the pid mark (``.<name>.XXXXXXXX``) are
    removed too, when older than ``before``: for the home's own files only, since anyone's
    file elsewhere could be named so.
    """
    folder = Path(folder)
    wanted = None if names is None else set(names)
    before = time.time() if before is None else before
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP.match(entry.name)
        old_style = None if match or legacy is None else _LEGACY_TEMP.match(entry.name)
        if old_style and not legacy(old_style["name"]):
            old_style = None
        found = match or old_style
        if not found or (wanted is not None and found["name"] not in wanted):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if info.st_mtime >= before or info.st_uid != os.geteuid():
            continue
        if match and _alive(int(match["pid"])) and info.st_mtime > time.time() - STALE_SECONDS:
            continue
        path = Path(entry.path)
        try:
            if stat.S_ISDIR(info.st_mode):
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


# -- the home: build lock and secret ----------------------------------------------------------

def lock_timeout() -> float:
    """Seconds a build waits for the build lock: ``RESPGRAPH_LOCK_TIMEOUT`` or ``LOCK_TIMEOUT``."""
    try:
        return max(0.0, float(os.environ.get("RESPGRAPH_LOCK_TIMEOUT", LOCK_TIMEOUT)))
    except ValueError:
        return LOCK_TIMEOUT


@contextlib.contextmanager
def build_lock(home: str | os.PathLike, timeout: float | None = None,
               on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the build lock of ``home`` (an exclusive ``flock`` on ``home/build.lock``) in the block.

    When another build holds it, ``on_wait`` gets one line saying so and the build waits up to
    ``timeout`` seconds (default ``lock_timeout()``), then ``BuildLocked`` is raised. The lock
    goes with the process: a killed build never leaves the home locked.
    """
    home = Path(home)
    _make_folder(home)
    timeout = lock_timeout() if timeout is None else timeout
    path = home / LOCK_NAME
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0),
                         0o644)
    try:
        if not _try_lock(descriptor):
            holder = _holder(descriptor)
            if on_wait is not None:
                on_wait(f"waiting for another build into {home}{holder} to finish "
                        f"(at most {timeout:g} s; RESPGRAPH_LOCK_TIMEOUT sets it)")
            deadline = time.monotonic() + timeout
            while not _try_lock(descriptor):
                if time.monotonic() >= deadline:
                    raise BuildLocked(f"another build into {home}{holder} is still running after {timeout:g} s; "
                                      "try again when it has finished")
                time.sleep(0.05)
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(descriptor, 0)
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _try_lock(descriptor: int) -> bool:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as error:
        if error.errno in (errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def _holder(descriptor: int) -> str:
    """" (pid N)" of the build holding the lock, as it wrote it, or ""."""
    try:
        text = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (pid {text})" if text.isdigit() else ""


def home_secret(home: str | os.PathLike) -> bytes | None:
    """The random key of this home (``home/secret.key``, mode 0600, made on first use), or None
    when it can be neither read nor made (then nothing signed with it is trusted).

    A key file that is not a regular file of this user readable by no one else, or not of the
    right size, is replaced: whoever could plant one could sign what they like with it.
    """
    path = Path(home) / SECRET_NAME
    key = _read_secret(path)
    if key is not None:
        return key
    try:
        _make_folder(path.parent)
        with contextlib.suppress(FileNotFoundError):
            if _read_secret(path) is None:
                path.unlink()
        handle, temp = make_temp(path, mode=0o600)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(secrets.token_bytes(SECRET_BYTES))
                out.flush()
                os.fsync(out.fileno())
            os.link(temp, path)  # never replaces a key another process made meanwhile
        except FileExistsError:
            pass
        finally:
            temp.unlink(missing_ok=True)
    except (OSError, UnsafePath):
        return None
    return _read_secret(path)


def _read_secret(path: Path) -> bytes | None:
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if (not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077
                or info.st_size != SECRET_BYTES):
            return None
        key = os.pread(descriptor, SECRET_BYTES + 1, 0)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    return key if len(key) == SECRET_BYTES else None


# -- messages ---------------------------------------------------------------------------------

_REASONS = {
    errno.ENOENT: "no such file or folder",
    errno.EEXIST: "already exists",
    errno.EISDIR: "is a directory",
    errno.ENOTDIR: "a part of this path is a file, not a folder",
    errno.EACCES: "permission denied",
    errno.EPERM: "not permitted",
    errno.ENOSPC: "no space left on the disk",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ELOOP: "too many symbolic links",
    errno.ETXTBSY: "the file is busy",
    errno.EFBIG: "the file is too large",
    errno.EIO: "input/output error",
    errno.ENXIO: "no device or reader at the other end",
    errno.EMFILE: "too many open files",
}


def reason(error: OSError) -> str:
    """Why an OSError happened, in words, without its errno."""
    return _REASONS.get(error.errno) or (error.strerror or error.__class__.__name__).lower()


def describe_os_error(error: OSError, path: str | os.PathLike | None = None) -> str:
    """An OSError as one human line, without "[Errno N]": "out/x.json: no space left on the disk"."""
    if isinstance(error, (UnsafePath, BuildLocked, WriteFailed)) or error.errno is None:
        text = str(error).splitlines()[0] if str(error) else error.__class__.__name__
        return re.sub(r"^\[Errno \d+\]\s*", "", text)
    why = reason(error)
    where = path if path is not None else error.filename
    if error.errno == errno.EEXIST and where is not None:
        existing = Path(where)
        what = kind_of(existing.lstat().st_mode) if existing.exists() or existing.is_symlink() else "a file"
        return f"{where} already exists ({what})"
    if where is None:
        return why
    if error.filename2 is not None and path is None:
        return f"{error.filename} → {error.filename2}: {why}"
    return f"{where}: {why}"
