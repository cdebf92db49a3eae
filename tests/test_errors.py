"""One error family: what respgraph reports in one line, and bugs that must show a traceback."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from respgraph import errors
from respgraph.cli import cli
import respgraph.exports.files as files
import respgraph.exports.views as views
import respgraph.graph_build.check as check
import respgraph.graph_build.curated as curated
import respgraph.graph_build.files as safe_files
import respgraph.graph_build.parse as parse
import respgraph.graph_build.read as read
import respgraph.graph_build.snapshot as snapshot
import respgraph.queries.cypher_engine as cypher_engine
import respgraph.queries.cypher_gate as cypher_gate
import respgraph.queries.cypher_sandbox as cypher_sandbox
from respgraph.queries.duties import AmbiguousUnit, UnknownUnit
import respgraph.queries.library as library
import respgraph.queries.neo4j_store as neo4j_store
from respgraph.graph_build import BuildError

USAGE = [check.CheckInputError, safe_files.UnsafePath, library.QueryLibraryError, cypher_gate.QueryRefused,
         AmbiguousUnit, views.ViewOptionError, files.UnknownFormat]
FAILED_WORK = [parse.NoTasksError, BuildError, safe_files.WriteFailed, safe_files.BuildLocked,
               curated.CuratedDataError, read.SourceError, snapshot.SnapshotError, cypher_engine.CypherError,
               cypher_engine.DatabaseBuildError, neo4j_store.Neo4jUnavailable, UnknownUnit,
               cypher_sandbox.EngineFailure, views.NothingToDraw]


@pytest.mark.parametrize("error", USAGE, ids=lambda e: e.__name__)
def test_usage_errors_exit_2(error):
    assert issubclass(error, errors.UsageProblem) and error.exit_code == 2


@pytest.mark.parametrize("error", FAILED_WORK, ids=lambda e: e.__name__)
def test_failed_work_exits_1(error):
    assert issubclass(error, errors.WorkFailed) and error.exit_code == 1


def test_a_programming_bug_shows_its_traceback(home, monkeypatch):
    from respgraph import queries

    def broken(*args, **kwargs):
        raise KeyError("city")  # a bug, not a user's mistake: it must not become "Error: 'city'"

    monkeypatch.setattr(queries, "documents", broken)
    with pytest.raises(KeyError):
        CliRunner().invoke(cli, ["docs"], catch_exceptions=False)


def test_a_reported_error_is_one_line_with_its_exit_code(home):
    result = CliRunner().invoke(cli, ["duties", "工信局"], catch_exceptions=False)
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    result = CliRunner().invoke(cli, ["duties", "不存在的单位"], catch_exceptions=False)
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
