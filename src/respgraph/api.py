"""respgraph from Python: the CLI's answers as plain rows, for notebooks and scripts.

``respgraph.open()`` gives an :class:`Explorer` of the active graph (the bundled plans, built
on first use exactly as the CLI builds them, or whatever ``respgraph build`` made active); its
methods return what ``respgraph duties/load/tasks/units/docs/overlap/cypher --format json`` print,
without a subprocess, and ``html`` returns the page of ``respgraph html`` (shown inline in
Jupyter). Every error is one of respgraph's (``respgraph.errors.RespgraphError``):
``UsageProblem`` for a request that cannot be meant as given (the CLI's exit code 2),
``WorkFailed`` for work that could not be done (exit code 1).

Examples
--------
>>> import respgraph
>>> rg = respgraph.open()
>>> rows = rg.load(top=3)
>>> [row["unit"] for row in rows]
['福州市大数据委', '各县（市）区政府', '福州高新区管委会']
>>> rows.to_pandas().shape  # doctest: +SKIP
(3, 9)
"""
from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from pathlib import Path

from . import store
from .errors import UsageProblem, WorkFailed

__all__ = ["open", "Explorer", "Rows"]

OVERLAP_PARTS = ("topics", "families", "matrix", "projects", "uptake")  # commands_overlap.PARTS


class Rows(list):
    """A list of plain dicts (one per row) that can become a pandas DataFrame.

    ``columns``: the column order when the rows have one (a Cypher result's RETURN order),
    else None (a DataFrame then takes the keys of the rows in order).

    Examples
    --------
    >>> rows = Rows([{"unit": "市大数据委", "lead": 3}])
    >>> rows == [{"unit": "市大数据委", "lead": 3}]
    True
    >>> rows.to_pandas()["lead"].tolist()  # doctest: +SKIP
    [3]
    """

    def __init__(self, rows=(), columns=None):
        super().__init__(rows)
        self.columns = list(columns) if columns is not None else None

    def to_pandas(self):
        """The rows as a ``pandas.DataFrame`` (nested values, such as a task's units, stay lists).

        Raises
        ------
        UsageProblem
            When pandas is not installed (``pip install pandas``).
        """
        try:
            import pandas
        except ImportError:
            raise UsageProblem("to_pandas needs pandas: pip install pandas "
                               "(or pip install 'respgraph[notebook]')") from None
        return pandas.DataFrame(list(self), columns=self.columns)


def open(path: str | os.PathLike | list | tuple | None = None) -> "Explorer":  # noqa: A001 - respgraph.open
    """An :class:`Explorer` of a graph.

    Parameters
    ----------
    path : None, a snapshot, or plan files and folders
        None (the default): the active graph, as the CLI uses it. When there is none yet, or
        it is a stale build of the bundled plans, the bundled plans are built into
        ``$RESPGRAPH_HOME`` first, exactly as the first CLI call does.
        A ``.json`` file: that snapshot (``respgraph build -o``, ``respgraph --graph``).
        Anything else (a plan file or folder, or a list of them): those plans are built **in
        memory**; the active graph and ``$RESPGRAPH_HOME`` are left untouched (use
        ``respgraph build`` to make them the active graph). Files that could not be read are
        listed in ``Explorer.failures``, notes and warnings in ``Explorer.warnings``.

    Returns
    -------
    Explorer

    Raises
    ------
    WorkFailed
        A snapshot that is missing or corrupt, or plans none of which yield tasks.

    Examples
    --------
    >>> import respgraph
    >>> respgraph.open()
    <respgraph.Explorer of the active graph>
    >>> from respgraph.graph_build import bundled_plans
    >>> plans = [p for p in bundled_plans() if "quanzhou" in str(p)]
    >>> quanzhou = respgraph.open(plans)
    >>> sorted({row["city"] for row in quanzhou.tasks()})
    ['泉州市']
    """
    return Explorer(path)


class Explorer:
    """The CLI's questions, asked of one graph; every method returns what the command prints
    with ``--format json``. Make one with :func:`respgraph.open`.

    An Explorer of the active graph reads it when first asked (from its query index when that
    is fresh, as the CLI does) and keeps answering from what it read: open another after a
    ``respgraph build`` to see the new graph.
    """

    def __init__(self, path=None):
        self.failures: list[str] = []
        self.warnings: list[str] = []
        self._graph = None
        self._answers = None
        self._snapshot: str | None = None
        self._database: Path | None = None
        self._memory = False
        if path is None:
            self._where = "the active graph"
        elif isinstance(path, (str, os.PathLike)) and Path(path).suffix.lower() == ".json":
            self._snapshot = os.fspath(path)
            self._where = f"snapshot {self._snapshot}"
            if not Path(self._snapshot).exists():
                raise WorkFailed(f"{self._snapshot}: no such snapshot")
        else:
            self._build_in_memory([path] if isinstance(path, (str, os.PathLike)) else list(path))

    def _build_in_memory(self, paths: list) -> None:
        from respgraph import graph_build
        from respgraph.graph_build import files

        for path in paths:  # a FIFO or device is refused unread, as by `respgraph build`
            files.check_input(path)
        report = graph_build.build_report(paths)
        self.failures = list(report.failures)
        self.warnings = [f"{s}" for s in report.skipped] + list(report.warnings)
        if not report.inputs:
            raise WorkFailed("nothing was built: " + ("; ".join(report.failures) or "no tasks in any input"))
        self._graph = report.graph
        self._memory = True
        shown = ", ".join(os.fspath(p) for p in paths[:3]) + (", …" if len(paths) > 3 else "")
        self._where = f"{len(report.inputs)} documents built in memory from {shown}"

    def __repr__(self) -> str:
        return f"<respgraph.Explorer of {self._where}>"

    # -- the graph and the query index, as the CLI reaches them (cli.graph_of, cli.answers) ------

    @property
    def graph(self):
        """The networkx MultiDiGraph (``respgraph.store.load_active``), loaded on first use."""
        if self._graph is None:
            self._graph = store.load_active(self._snapshot)
        return self._graph

    def _rows_source(self):
        """The snapshot's fresh query index, else ``queries`` on the graph: the same rows."""
        if self._answers is None:
            index = None if self._memory else store.fresh_index(self._snapshot)
            if index is None:
                from .index import GraphQueries

                index = GraphQueries(self.graph)
            self._answers = index
        return self._answers

    def _check_cities(self, known, wanted) -> None:
        """As ``respgraph --city``: a city that selects nothing is a UsageProblem naming the known ones."""
        from .index import city_matches

        known = sorted(set(known) - {""})
        for city in [wanted] if isinstance(wanted, str) or wanted is None else wanted:
            if not city or not city.strip() or any(city_matches(name, city) for name in known):
                continue
            from .cli import unknown_city  # the CLI's wording

            raise UsageProblem(unknown_city(city.strip(), known))

    def _known_cities(self):
        from respgraph.queries import known_cities

        return known_cities(self.graph)

    # -- listings ---------------------------------------------------------------------------

    def duties(self, unit: str, role: str | None = None, city: str | None = None) -> Rows:
        """Every task ``unit`` leads or supports (``respgraph duties UNIT``).

        Parameters
        ----------
        unit : str
            An exact name, an alias or a short form (大数据委, 市大数据委).
        role : {"lead", "support"}, optional
            Only the tasks the unit leads / supports.
        city : str, optional
            Only this city or province (泉州 or 泉州市); also picks the unit among several.

        Returns
        -------
        Rows
            One dict per task: ``id, doc, city, section, number, title, text, units, source``, …
            and the unit's ``role``.

        Raises
        ------
        UsageProblem
            An ambiguous unit name, an unknown city or role.
        WorkFailed
            No unit of that name.

        Examples
        --------
        >>> import respgraph
        >>> rows = respgraph.open().duties("市大数据委", role="lead")
        >>> rows[0]["unit"], rows[0]["role"], rows[0]["city"]
        ('福州市大数据委', 'lead', '福州市')
        """
        if role not in (None, "lead", "support"):
            raise UsageProblem(f"role must be 'lead' or 'support', not {role!r}")
        answers = self._rows_source()
        if city:
            self._check_cities(answers.cities(), city)
        return Rows(answers.duties(unit, role=role, city=city))

    def load(self, by: str = "unit", city: str | None = None, top: int | None = None) -> Rows:
        """How many tasks each unit (or function) leads and supports, heaviest first (``respgraph load``).

        Parameters
        ----------
        by : {"unit", "function"}
            One row per unit, or per function with each city's counterpart under ``cities``.
        city : str, optional
            Only this city or province.
        top : int, optional
            Only the ``top`` heaviest rows.

        Examples
        --------
        >>> import respgraph
        >>> row = respgraph.open().load(by="function", top=1)[0]
        >>> row["function"], sorted(row["cities"])[:2]
        ('district_governments', ['厦门市', '泉州市'])
        """
        if by not in ("unit", "function"):
            raise UsageProblem(f"by must be 'unit' or 'function', not {by!r}")
        if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
            raise UsageProblem(f"top must be a whole number of rows, at least 1, not {top!r}")
        answers = self._rows_source()
        if city:
            self._check_cities(answers.cities(), city)
        if by == "unit":
            return Rows(answers.load_by_unit(city=city, top=top))
        return Rows(answers.load_by_function(city=city, top=top))

    def tasks(self, city: str | None = None, doc: str | None = None) -> Rows:
        """Tasks with their responsible units and source lines (``respgraph tasks``).

        Parameters
        ----------
        city : str, optional
            Only this city or province.
        doc : str, optional
            Only the tasks of this document id (see :meth:`docs`).

        Examples
        --------
        >>> import respgraph
        >>> task = respgraph.open().tasks(city="泉州")[0]
        >>> task["city"], [unit["role"] for unit in task["units"]][:1]
        ('泉州市', ['lead'])
        """
        answers = self._rows_source()
        if city:
            self._check_cities(answers.cities(), city)
        return Rows(answers.tasks(city=city, doc=doc))

    def units(self, city: str | None = None, unresolved: bool = False) -> Rows:
        """Responsible units with region, kind, function and printed names (``respgraph units``).

        ``unresolved``: only the units the curated agency table does not know.

        Examples
        --------
        >>> import respgraph
        >>> "泉州市数字办" in {row["unit"] for row in respgraph.open().units(city="泉州")}
        True
        """
        answers = self._rows_source()
        if city:
            self._check_cities(answers.cities(), city)
        return Rows(answers.units(city=city, unresolved=unresolved))

    def docs(self, city: str | None = None) -> Rows:
        """Documents with their metadata, task counts and warnings (``respgraph docs``).

        Examples
        --------
        >>> import respgraph
        >>> sorted({row["region"] for row in respgraph.open().docs()})
        ['厦门市', '泉州市', '福州市', '福建省']
        """
        from respgraph.queries import documents

        if city:
            self._check_cities(self._known_cities(), city)
        return Rows(documents(self.graph, city=city))

    def overlap(self, cities=None, topic: str | None = None, show=None) -> dict[str, Rows]:
        """What the plans of several cities share (``respgraph overlap``).

        Parameters
        ----------
        cities : str or list of str, optional
            The cities to compare (default: all).
        topic : str, optional
            Only this topic (see data/topics.csv), e.g. 智慧教育.
        show : str or list of str, optional
            Which parts: "topics", "families", "matrix", "projects", "uptake" (default: all).

        Returns
        -------
        dict
            Part name → Rows, in the order above, as ``respgraph overlap --format json`` prints.

        Examples
        --------
        >>> import respgraph
        >>> result = respgraph.open().overlap(["福州", "泉州"], show="matrix")
        >>> list(result), sorted({row["city"] for row in result["matrix"]})
        (['matrix'], ['泉州市', '福州市'])
        """
        from respgraph.queries import overlap as overlap_queries

        cities = [cities] if isinstance(cities, str) else list(cities or [])
        parts = [show] if isinstance(show, str) else list(show or OVERLAP_PARTS)
        unknown = [part for part in parts if part not in OVERLAP_PARTS]
        if unknown:
            raise UsageProblem(f"unknown part '{unknown[0]}'; choose from {', '.join(OVERLAP_PARTS)}")
        graph = self.graph
        if cities:
            self._check_cities(self._known_cities(), cities)
        chosen = cities or None
        result: dict[str, Rows] = {}
        if "topics" in parts:
            result["topics"] = Rows(overlap_queries.overlap_by_topic(graph, chosen, topic))
            if topic and not result["topics"]:
                raise WorkFailed(f"no task is about topic '{topic}'; see data/topics.csv for the topics")
        if "families" in parts:
            result["families"] = Rows(overlap_queries.task_families(graph, chosen))
        if "matrix" in parts:
            result["matrix"] = Rows(overlap_queries.city_matrix(graph, chosen))
        if "projects" in parts:
            result["projects"] = Rows(overlap_queries.shared_projects(graph, chosen))
        if "uptake" in parts:
            result["uptake"] = Rows(overlap_queries.provincial_uptake(graph))
        return result

    # -- Cypher -----------------------------------------------------------------------------

    def cypher(self, query: str, timeout: float = 10, **params) -> Rows:
        """Run a read-only Cypher query on the embedded database (``respgraph cypher``).

        The query passes the same read-only gate (``queries/cypher_gate.py``) and runs in the
        same time-limited child process (``queries/cypher_sandbox.py``) as on the command line.
        Pass values as keyword parameters (``$unit`` ← ``unit="…"``), never pasted into the
        query; ``query`` and ``timeout`` cannot be parameter names.

        Parameters
        ----------
        query : str
            The query; only reading forms run.
        timeout : float
            Stop the query after this many seconds (a WorkFailed).
        **params
            The query's ``$parameters``.

        Returns
        -------
        Rows
            One dict per row, ``Rows.columns`` in RETURN order.

        Raises
        ------
        UsageProblem
            A refused (writing) query, an empty one, a ``$parameter`` without a value.
        WorkFailed
            A query the engine rejects, a timeout, an engine crash.

        Examples
        --------
        >>> import respgraph
        >>> rg = respgraph.open()
        >>> rg.cypher("MATCH (a:Agency) WHERE a.name = $unit RETURN a.region AS region", unit="泉州市数字办")
        [{'region': '泉州市'}]
        >>> rg.cypher("MATCH (a:Agency) DETACH DELETE a")
        Traceback (most recent call last):
        ...
        respgraph.queries.cypher_gate.QueryRefused: ...
        """
        import math

        from respgraph.queries import cypher_gate, cypher_sandbox

        if not isinstance(query, str) or not query.strip():
            raise UsageProblem("the query is empty")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) \
                or not 0 < timeout <= 86_400:
            raise UsageProblem(f"timeout must be a number of seconds above 0 (at most 86400), not {timeout!r}")
        cypher_gate.check(query, "embedded")  # before any database is opened or built
        missing = [name for name in cypher_gate.parameters(query) if name not in params]
        if missing:
            raise UsageProblem(f"the query uses {', '.join('$' + name for name in missing)} but no value was given; "
                               f"pass {', '.join(name + '=…' for name in missing)}")
        engine = cypher_sandbox.SandboxedEngine(self._cypher_database(), timeout=float(timeout),
                                                repair=self._rebuild_database)
        result = engine.run(query, params)
        return Rows(result.rows, result.columns)

    def _cypher_database(self) -> Path:
        if self._database is None:
            if self._memory:
                self._database = self._memory_database()
            else:
                self._database = store.cypher_database(self._snapshot, lambda: self.graph)
        return self._database

    def _memory_database(self) -> Path:
        """A database of the in-memory graph in a temporary folder, removed with the Explorer."""
        from respgraph.queries import cypher_engine

        folder = Path(tempfile.mkdtemp(prefix="respgraph-"))
        weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
        cypher_engine.build_database(self._graph, folder / "graph.lbdb")
        return folder / "graph.lbdb"

    def _rebuild_database(self) -> Path:
        """Delete a database found unreadable and build it again (the CLI's repair_database)."""
        from respgraph.queries import cypher_engine

        if self._database is not None:
            if self._memory:
                cypher_engine.build_database(self._graph, self._database)
                return self._database
            cypher_engine.discard_database(self._database)
        self._database = None
        return self._cypher_database()

    # -- pages --------------------------------------------------------------------------------

    def html(self, view: str | None = None, unit: str | None = None, city=None, topic: str | None = None,
             depth: int = 1, max_nodes: int | None = None):
        """The interactive page of a view (``respgraph html``), shown inline in Jupyter.

        Parameters
        ----------
        view : {"unit", "city", "overlap", "agencies"}, optional
            By default unit with ``unit``, city with ``city``, else overlap.
        unit : str, optional
            The unit whose neighbourhood to draw (市大数据委).
        city : str or list of str, optional
            Only this city / these cities.
        topic : str, optional
            Only tasks about this topic (智慧教育), or containing this keyword.
        depth : int
            Unit view: levels of units and tasks around the unit.
        max_nodes : int, optional
            Above this many nodes the view is reduced (default: the CLI's 1500).

        Returns
        -------
        respgraph.exports.html.GraphPage
            ``.html`` (the page's text), ``.save(path)``, ``.view.notes`` (what was left out).

        Examples
        --------
        >>> import respgraph
        >>> page = respgraph.open().html(unit="市大数据委", city="福州")
        >>> page
        <GraphPage unit '...': ... nodes>
        >>> page._repr_html_().startswith("<iframe")
        True
        """
        from respgraph.exports import html as html_export
        from respgraph.exports.views import MAX_NODES

        cities = [city] if isinstance(city, str) else list(city or [])
        if cities:
            self._check_cities(self._known_cities(), cities)
        return html_export.view_page(self.graph, view, unit, tuple(cities), topic, depth,
                                     MAX_NODES if max_nodes is None else max_nodes)
