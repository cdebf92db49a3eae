"""One family for every error respgraph means to report, so the CLI can tell them from bugs.

``RespgraphError`` is the root. A ``UsageProblem`` is a request that cannot be meant as given (an
ambiguous unit name, an unknown city, an ``-o`` path that is not a regular file, a refused
query): the CLI exits 2. A ``WorkFailed`` is work that could not be done (an unreadable plan, a
broken snapshot, an unreachable server): exit 1. Library classes keep their older bases too
(``ValueError``, ``LookupError``, ``OSError``) so callers that caught those still do. Anything
else reaching the CLI is a bug and shows its traceback.

This module imports nothing of respgraph: every layer may raise these.
"""
from __future__ import annotations


class RespgraphError(Exception):
    """An error respgraph reports to its user in one line."""

    exit_code = 1


class UsageProblem(RespgraphError):
    """What was asked cannot be meant as given: exit code 2."""

    exit_code = 2


class WorkFailed(RespgraphError):
    """The work asked for could not be done: exit code 1."""

    exit_code = 1
