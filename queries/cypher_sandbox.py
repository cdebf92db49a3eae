"""Each embedded query in a forked child process, with a time limit.

Why: the engine is native code. Whatever the gate (``cypher_gate``) lets through can still hit
an engine bug: a segmentation fault would end respgraph with exit 139 and no word, a query that
runs for hours would hang the terminal. So ``respgraph cypher`` and ``respgraph query`` run every
embedded query in a child forked for it, which alone opens the database (read-only), sets the
connection's own time limit, runs the query and sends the rows back over a pipe. The parent
waits at most a little longer than the limit, then kills the child. A child killed by a signal
becomes one line, "the embedded engine crashed on this query"; a query past its limit one line
naming the limit; both exit 1. The child cannot dump core (RLIMIT_CORE is 0) and never returns
into the command line: it ends with ``os._exit``.

A database the child cannot open or read (pending checkpoint recovery, corruption) is rebuilt
from its snapshot once, by the ``repair`` function the command passes, and the query runs again.

The fork costs a few milliseconds per query (the child opens the database, as the command did
before); see README, "Cypher: one query library, two engines".
"""
from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import time
from pathlib import Path
from typing import Callable

from respgraph.errors import WorkFailed
from . import cypher_gate
from .cypher_engine import (CypherError, DatabaseUnreadable, EmbeddedEngine, QueryInterrupted, QueryResult,
                            one_line)

DEFAULT_TIMEOUT = 10.0
CRASHED = "the embedded engine crashed on this query"


class EngineFailure(RuntimeError, WorkFailed):
    """The engine could not answer at all (crash, time limit, unreadable database): one line, exit 1."""


class QueryTimeout(EngineFailure):
    """The query ran past its time limit; the child running it was stopped."""


class EngineCrashed(EngineFailure):
    """The child running the query died (a signal, or no answer)."""


class DatabaseBroken(EngineFailure):
    """The database could not be opened or read, even after it was rebuilt."""


def seconds(value: float) -> str:
    return f"{value:g} s"


def timeout_message(timeout: float) -> str:
    return f"the query ran longer than the time limit of {seconds(timeout)} (raise it with --timeout SECONDS)"


def _answer(db_path: str, query: str, parameters: dict, timeout: float):
    """What the child sends back: ("ok", columns, rows) or (kind, message)."""
    try:
        engine = EmbeddedEngine(db_path, timeout=timeout)
    except DatabaseUnreadable as error:
        return ("broken", str(error))
    # The engine is not closed: the child ends with os._exit, and a read-only database has
    # nothing to write back (closing cost ~8 ms a query).
    try:
        result = engine.run(query, parameters)
        return ("ok", result.columns, result.rows)
    except QueryInterrupted:
        return ("timeout", "")
    except DatabaseUnreadable as error:
        return ("broken", str(error))
    except cypher_gate.QueryRefused as error:
        return ("refused", str(error))
    except CypherError as error:
        return ("query", str(error))


def _child(write_fd: int, db_path: str, query: str, parameters: dict, timeout: float) -> None:
    """The child's whole life: answer, write the answer to the pipe. Never returns to the caller's code."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file behind
    except (ImportError, ValueError, OSError):
        pass
    import faulthandler

    faulthandler.disable()  # a crash is reported by the parent, in one line, not as a Python traceback
    try:
        answer = _answer(db_path, query, parameters, timeout)
    except Exception as error:  # anything else the engine raised, as one line
        answer = ("error", one_line(error) or error.__class__.__name__)
    try:
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:
        data = pickle.dumps(("error", f"cannot send the rows back: {one_line(error)}"))
    with os.fdopen(write_fd, "wb") as pipe:
        pipe.write(data)


def run_in_child(db_path: str | os.PathLike, query: str, parameters: dict | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> QueryResult:
    """Run one query on the database in a forked child; its rows, or the failure as an exception.

    CypherError for a query the engine rejects, QueryTimeout past ``timeout`` seconds,
    EngineCrashed when the child dies, DatabaseUnreadable when the database cannot be read.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    try:
        read_fd, write_fd = os.pipe()
    except OSError as error:
        raise EngineFailure(f"cannot start the query: {error.strerror or error}") from None
    try:
        pid = os.fork()
    except OSError as error:
        os.close(read_fd)
        os.close(write_fd)
        raise EngineFailure(f"cannot start a process for the query: {error.strerror or error}") from None
    if pid == 0:  # the child
        code = 1
        try:
            os.close(read_fd)
            _child(write_fd, str(db_path), query, dict(parameters or {}), timeout)
            code = 0
        except BaseException:
            pass
        finally:
            os._exit(code)
    os.close(write_fd)
    reaped = False
    try:
        # The engine stops itself at ``timeout``; the parent allows it a little more to say so.
        deadline = time.monotonic() + timeout * 1.2 + 0.5
        chunks = []
        poller = select.poll()
        poller.register(read_fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.kill(pid, signal.SIGKILL)
                raise QueryTimeout(timeout_message(timeout))
            if poller.poll(min(remaining, 60.0) * 1000):
                chunk = os.read(read_fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
        reaped = True
    finally:
        os.close(read_fd)
        if not reaped:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) or not chunks:
        raise EngineCrashed(CRASHED)
    try:
        answer = pickle.loads(b"".join(chunks))
    except Exception:
        raise EngineCrashed(CRASHED) from None
    kind = answer[0]
    if kind == "ok":
        return QueryResult(answer[1], answer[2])
    if kind == "timeout":
        raise QueryTimeout(timeout_message(timeout))
    if kind == "broken":
        raise DatabaseUnreadable(answer[1])
    if kind == "refused":
        raise cypher_gate.QueryRefused(answer[1])
    if kind == "query":
        raise CypherError(answer[1])
    raise EngineFailure(f"the embedded engine failed: {answer[1]}")


class SandboxedEngine:
    """The embedded engine for the command line: every query gated, then run by ``run_in_child``.

    ``repair()`` (optional) rebuilds the database and returns its path; it is called once, the
    first time the database cannot be read, and the query is run again; ``on_repair(why)`` is
    told when that second run answered (a failure says "even after rebuilding it" instead).
    """

    name = "embedded"

    def __init__(self, db_path: str | os.PathLike, timeout: float = DEFAULT_TIMEOUT,
                 repair: Callable[[], Path] | None = None, on_repair: Callable[[str], None] | None = None):
        self.db_path = Path(db_path)
        self.timeout = timeout
        self.repair = repair
        self.on_repair = on_repair

    def run(self, query: str, parameters: dict | None = None) -> QueryResult:
        cypher_gate.check(query, self.name)
        try:
            return run_in_child(self.db_path, query, parameters, self.timeout)
        except DatabaseUnreadable as error:
            if self.repair is None:
                raise DatabaseBroken(str(error)) from None
            repair, self.repair = self.repair, None
            why = str(error)
            self.db_path = Path(repair())
        try:
            result = run_in_child(self.db_path, query, parameters, self.timeout)
        except DatabaseUnreadable as error:
            raise DatabaseBroken(f"{error} (even after rebuilding it)") from None
        if self.on_repair:
            self.on_repair(why)
        return result

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
