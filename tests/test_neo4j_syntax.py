"""Every statement respgraph sends to Neo4j, checked by Neo4j's own Cypher front end, without a server.

The checker is the npm package @neo4j-cypher/language-support (Neo4j's parser and semantic
analysis compiled to JavaScript), pinned below and installed by ``.ci/run`` into ``.cypher-lint/``;
``tests/cypher_lint.mjs`` runs its ``lintCypherQuery`` over a batch of statements. Each statement
is checked as ``CYPHER 5`` and as ``CYPHER 25``, with the schema of ``graph_build/schema.py``
(labels and the marker label, relationship types, property keys, and which labels each
relationship type joins), its own parameters declared and Neo4j's built-in functions.

What is checked: every library query in the form Neo4j runs (``queries/cypher/*.cypher``), with
its parameters declared; every statement ``respgraph neo4j push --replace`` sends (captured from
``neo4j_store.push`` with a recording driver, plus the builders' MERGE for every label and
relationship type, and ``Neo4jEngine.counts``); every statement of ``respgraph export cypher``,
split the way cypher-shell splits a script, for a graph with a node of every label and a
relationship of every type whose values are the hard cases (quotes, backslashes, line breaks,
control characters, ``;`` and comment marks in strings, characters beyond the BMP) - the checker
reads about a hundred inline rows a second, too slow for the bundled graph's whole script, which
``test_the_script_splits_into_exactly_its_statements`` splits instead; ``constraints.cypher`` of
``respgraph export neo4j-admin``; and the Cypher examples of the README (``$ respgraph cypher …``
lines and ```` ```cypher ```` blocks) and of ``--help`` that the read-only gate lets through to
Neo4j (README examples showing a refusal are not Neo4j Cypher).

Errors fail. Warnings fail too: for these statements each one is a defect (a deprecated function
or syntax, a label, relationship type or property the schema lacks, a relationship drawn between
labels it never joins or the wrong way round); a warning that is wrong about respgraph goes into
ALLOWED_WARNINGS with its reason. Information and hints are ignored.

Without node or the package the tests skip, saying why; with CI set (CI=true) they fail instead.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

import networkx as nx
import pytest

from respgraph.exports import cypher_script, neo4j_admin
from respgraph.graph_build import schema
from respgraph.graph_build.schema import check_node
from respgraph.queries import cypher_engine, cypher_gate, library, neo4j_store

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "@neo4j-cypher/language-support"
PINNED = "2.0.0-next.38"
INSTALL = f"npm install --prefix .cypher-lint {PACKAGE}@{PINNED}"
LINTER = ROOT / "tests" / "cypher_lint.mjs"
VERSIONS = ["CYPHER 5", "CYPHER 25"]

# (message pattern, reason): warnings that are wrong about respgraph's statements.
ALLOWED_WARNINGS: tuple[tuple[str, str], ...] = (
    (r"^_(source|target) is not present in the database\.",
     "the push and the script read row.`_source` and row.`_target`, keys of the UNWIND row map, inside a "
     "node pattern's map ({`id`: row.`_source`}); the checker takes them for properties of the node"),
)

SAMPLE_VALUES = {"STRING": "", "INT64": 0, "DOUBLE": 0.0, "BOOLEAN": False, "STRING[]": []}

pytestmark = pytest.mark.slow


# ---------------------------------------------------------------------------------------
# The checker
# ---------------------------------------------------------------------------------------

def package_folder() -> Path:
    return Path(os.environ.get("CYPHER_LINT_DIR") or ROOT / ".cypher-lint")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def checker_missing() -> str | None:
    """Why the checker cannot run here, or None."""
    if not shutil.which("node"):
        return "node is not installed (the Neo4j Cypher check needs node and npm)"
    manifest = package_folder() / "node_modules" / PACKAGE / "package.json"
    if not manifest.is_file():
        return f"{PACKAGE} is not installed in {package_folder()}: run `{INSTALL}`"
    installed = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    if installed != PINNED:
        return f"{package_folder()} holds {PACKAGE} {installed}, not the pinned {PINNED}: run `{INSTALL}`"
    return None


def require_checker() -> None:
    reason = checker_missing()
    if reason:
        if in_ci():
            pytest.fail(f"the Neo4j Cypher check cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)


def lint_schema() -> dict:
    """graph_build/schema.py as the checker's database schema; every node also has the marker label."""
    marker = neo4j_store.MARKER_LABEL
    properties = {name for node in schema.NODES.values() for name in node.properties}
    properties |= {name for edge in schema.EDGES.values() for name in edge.properties}
    joins = [{"from": source, "relType": type_name, "to": target}
             for type_name, edge in schema.EDGES.items() for source, target in cypher_engine.edge_pairs(edge)]
    joins += [{"from": marker, "relType": type_name, "to": marker} for type_name in schema.EDGES]
    return {"labels": [*schema.NODES, marker], "relationshipTypes": list(schema.EDGES),
            "propertyKeys": sorted(properties), "graphSchema": joins}


def run_checker(statements: list[dict], workers: int = 1) -> list[dict]:
    """Each statement ({name, text, parameters}) once per Cypher version, with its diagnostics.

    A statement whose text and parameters another one has is checked once. The checker takes
    a few seconds to start and about 0.1-0.5 s a statement, so the batch is shared among
    ``workers`` node processes.
    """
    unique: dict[str, dict] = {}
    for item in statements:
        unique.setdefault(json.dumps([item["text"], item["parameters"]], sort_keys=True), item)
    batch = list(unique.values())
    chunks = [batch[i::workers] for i in range(workers) if batch[i::workers]]
    answers = []
    with tempfile.TemporaryDirectory() as folder:
        processes = []
        for number, chunk in enumerate(chunks):
            request = Path(folder, f"request{number}.json")
            request.write_text(json.dumps({"queries": chunk, "schema": lint_schema(), "versions": VERSIONS}),
                               encoding="utf-8")
            with open(request, "rb") as stdin, open(Path(folder, f"answer{number}.json"), "wb") as stdout, \
                    open(Path(folder, f"errors{number}.txt"), "wb") as stderr:
                processes.append(subprocess.Popen(["node", str(LINTER), str(package_folder())],
                                                  stdin=stdin, stdout=stdout, stderr=stderr))
        try:
            for number, process in enumerate(processes):
                process.wait(timeout=900)
                errors = Path(folder, f"errors{number}.txt").read_text(encoding="utf-8", errors="replace")
                assert process.returncode == 0, f"cypher_lint.mjs failed: {errors.strip()[-2000:]}"
                answers.append(json.loads(Path(folder, f"answer{number}.json").read_text(encoding="utf-8")))
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    assert all(answer["package"] == PINNED for answer in answers)
    by_key = {}
    for chunk, answer in zip(chunks, answers):
        names = {item["name"]: key for key, item in unique.items() if item in chunk}
        for result in answer["results"]:
            by_key.setdefault(names[result["name"]], []).append(result)
    return [{**result, "name": item["name"]}
            for item in statements
            for result in by_key[json.dumps([item["text"], item["parameters"]], sort_keys=True)]]


def allowed(diagnostic: dict) -> bool:
    return diagnostic["severity"] == "warning" and any(re.search(p, diagnostic["message"]) for p, _ in ALLOWED_WARNINGS)


def failures(results: list[dict], statements: list[dict]) -> list[str]:
    """One paragraph per failing statement and Cypher version: Neo4j's messages and where they point."""
    texts = {s["name"]: s["text"] for s in statements}
    out = []
    for result in results:
        if result["name"] not in texts:
            continue
        bad = [d for d in result["diagnostics"] if d["severity"] in ("error", "warning") and not allowed(d)]
        if not bad:
            continue
        lines = [f"{result['name']} ({result['version']}):"]
        lines += [f"  {d['severity']} at {d['line']}:{d['column']} `{d['text'][:80]}`: {d['message']}" for d in bad]
        text = texts[result["name"]]
        lines.append("  in: " + (text if len(text) <= 600 else text[:600] + " …"))
        out.append("\n".join(lines))
    return out


def assert_neo4j_accepts(report: list[dict], statements: list[dict]) -> None:
    assert statements, "nothing to check"
    names = {s["name"] for s in statements}
    assert len(names) == len(statements), "statement names must be unique"
    assert {r["name"] for r in report} >= names, "some statements were not checked"
    problems = failures(report, statements)
    assert not problems, "Neo4j's Cypher front end rejects:\n\n" + "\n\n".join(problems)


# ---------------------------------------------------------------------------------------
# What respgraph sends
# ---------------------------------------------------------------------------------------

def statement(name: str, text: str, parameters: dict | None = None) -> dict:
    return {"name": name, "text": text, "parameters": parameters or {}}


def library_statements() -> list[dict]:
    out = []
    for name, query in library.library().items():
        parameters = {p.name: SAMPLE_VALUES[p.type] if p.required else p.default for p in query.parameters}
        out.append(statement(f"query {name}", query.text_for("neo4j", parameters), parameters))
    return out


class RecordingTransaction:
    """Stands in for the driver's transaction and session: records what would be sent."""

    def __init__(self, sent: list):
        self.sent = sent

    def run(self, query, parameters=None, **kwargs):
        self.sent.append((str(query), dict(parameters or {}, **kwargs)))
        return RecordedResult()


class RecordedResult:
    def single(self, *args, **kwargs):
        return {"deleted": 0}

    def consume(self):
        return None

    def __iter__(self):
        return iter(())


class RecordingSession(RecordingTransaction):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute_write(self, work, *args, **kwargs):
        return work(RecordingTransaction(self.sent), *args, **kwargs)

    execute_read = execute_write

    def close(self):
        pass


class RecordingDriver:
    def __init__(self):
        self.sent: list[tuple[str, dict]] = []

    def session(self, **kwargs):
        return RecordingSession(self.sent)

    def verify_connectivity(self, **kwargs):
        pass

    def close(self):
        pass


def parameter_sample(value):
    """A parameter's value for the checker, which only needs its name: a list cut to one row."""
    return value[:1] if isinstance(value, list) else value


def pushed_statements(graph, monkeypatch) -> list[dict]:
    """What `respgraph neo4j push --replace` sends, from neo4j_store.push with a recording driver,
    then the builders' MERGE for every label and (type, source, target) the schema has."""
    driver = RecordingDriver()
    monkeypatch.setattr(neo4j_store, "connect", lambda settings: driver)
    neo4j_store.push(graph, neo4j_store.Settings(uri="bolt://recording:7687"), replace=True)
    seen: dict[str, dict] = {}
    for text, parameters in driver.sent:
        seen.setdefault(text, {k: parameter_sample(v) for k, v in parameters.items()})
    assert set(neo4j_store.constraint_statements()) <= set(seen)
    assert neo4j_store.delete_batch_statement() in seen
    assert len(seen) > len(schema.NODES) + 1, "the recording driver saw no MERGE: did push stop using execute_write?"
    out = [statement(f"push {i}", text, parameters) for i, (text, parameters) in enumerate(seen.items())]
    every = [neo4j_store.node_merge(label) for label in schema.NODES]
    every += [neo4j_store.edge_merge(type_name, source, target)
              for type_name, edge in schema.EDGES.items() for source, target in cypher_engine.edge_pairs(edge)]
    out += [statement(f"merge {i}", text, {"rows": []}) for i, text in enumerate(every) if text not in seen]
    return out


def count_statements() -> list[dict]:
    """The queries of Neo4jEngine.counts (what a test or a status check reads after a push)."""
    sent = []

    def record(query, parameters=None):
        sent.append(query)
        return cypher_engine.QueryResult(["n"], [{"n": 0}])

    engine = object.__new__(neo4j_store.Neo4jEngine)
    engine.run = record
    engine.counts()
    return [statement(f"counts {i}", text) for i, text in enumerate(sent)]


def split_like_cypher_shell(script: str) -> list[str]:
    """Statements of a script as cypher-shell reads them: a ';' ends one unless it sits in a
    '…' or "…" string (backslash escapes), a `…` name, a // comment or a /* */ comment."""
    statements, start, i, n = [], 0, 0, len(script)
    while i < n:
        ch = script[i]
        if ch in "'\"`":
            i += 1
            while i < n and script[i] != ch:
                i += 2 if script[i] == "\\" and ch != "`" else 1
        elif script.startswith("//", i):
            newline = script.find("\n", i)
            i = n if newline < 0 else newline
        elif script.startswith("/*", i):
            end = script.find("*/", i + 2)
            i = n if end < 0 else end + 1
        elif ch == ";":
            statements.append(script[start:i])
            start = i + 1
        i += 1
    statements.append(script[start:])
    return [s.strip() for s in statements if strip_comments(s).strip()]


def strip_comments(text: str) -> str:
    return re.sub(r"^\s*//[^\n]*$", "", text, flags=re.MULTILINE)


TRICKY = ["it's \"quoted\"", "back\\slash \\n \\u0041 \\' not escapes", "line\nbreak\r\nand\ttab",
          "semi;colon // not a comment", "/* not a comment */ `tick`", "\x00\x01\x1f\x7f\x85 control",
          "\u2028\u2029\ufeff separators", "福州市大数据委 😀 𠀀 beyond the BMP", "$rows {id: 1}",
          "'; MATCH (n) DETACH DELETE n //", ""]


def tricky_graph() -> nx.MultiDiGraph:
    """A node of every label and a relationship of every (type, source, target), each string
    property one of TRICKY and each list property a list of them."""
    graph = nx.MultiDiGraph()
    values = {"STRING": lambda i: TRICKY[i % len(TRICKY)], "INT64": lambda i: -i, "DOUBLE": lambda i: i + 0.25,
              "BOOLEAN": lambda i: i % 2 == 0, "STRING[]": lambda i: TRICKY[i % 3::3]}
    for number, (label, node) in enumerate(schema.NODES.items()):
        props = {name: values[kind](number + k) for k, (name, kind) in enumerate(node.properties.items())}
        props["id"] = schema.node_id(label, TRICKY[number % len(TRICKY)])
        graph.add_node(props["id"], label=label, **check_node(label, props))
    ids = {data["label"]: node_id for node_id, data in graph.nodes(data=True)}
    for number, (type_name, edge) in enumerate(schema.EDGES.items()):
        for source, target in cypher_engine.edge_pairs(edge):
            props = {name: values[kind](number + k) for k, (name, kind) in enumerate(edge.properties.items())}
            graph.add_edge(ids[source], ids[target], key=f"{type_name}:{number}", type=type_name, **props)
    return graph


def script_statements(graph: nx.MultiDiGraph, folder: Path, name: str, rows_per_statement: int) -> list[dict]:
    """The statements of `respgraph export cypher`'s file for ``graph``, split as cypher-shell splits it."""
    path = folder / f"{name}.cypher"
    cypher_script.export_cypher_script(graph, path, rows_per_statement)
    parts = split_like_cypher_shell(path.read_text(encoding="utf-8"))
    return [statement(f"{name} {i}", text) for i, text in enumerate(parts)]


def import_script_statements() -> list[dict]:
    """The statements import.sh tells the user to run with cypher-shell (CREATE DATABASE …), for a
    database name that needs its backticks."""
    script = neo4j_admin.import_script(["nodes_Task.csv"], ["relationships_TASK_OF.csv"], ";").decode("utf-8")
    found = re.findall(r"cypher-shell -d system '([^']*)'", script)
    assert any("CREATE DATABASE" in text for text in found), script
    return [statement(f"import.sh {i}", text.replace("\\`", "`").replace("$database", "plans-2024"))
            for i, text in enumerate(found)]


# ---------------------------------------------------------------------------------------
# Examples in the README and --help
# ---------------------------------------------------------------------------------------

def command_query(line: str) -> tuple[str, dict] | None:
    """(query, parameters) of a shell line running `respgraph cypher`, parsed by the command's own
    options; None for any other command or a query read from stdin."""
    from respgraph.cli import cli

    lexer = shlex.shlex(line, posix=True, punctuation_chars=";|&")
    lexer.whitespace_split = True
    tokens = list(lexer)
    for stop in (";", "|", "&&", "||", "&"):
        if stop in tokens:
            tokens = tokens[:tokens.index(stop)]
    while tokens and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", tokens[0]):
        tokens.pop(0)
    if not tokens or tokens[0] != "respgraph":
        return None
    root = cli.make_context("respgraph", tokens[1:], resilient_parsing=True)
    # The words after the global options (click 8.2 keeps them apart as protected_args).
    rest = [*root.__dict__.get("_protected_args", []), *root.args]
    if not rest or rest[0] != "cypher":
        return None
    command = cli.get_command(root, "cypher")
    context = command.make_context("cypher", rest[1:], parent=root, resilient_parsing=True)
    query = context.params.get("query")
    if not query or query == "-":
        return None
    return query, library.parse_assignments(context.params.get("params") or ())


def neo4j_bound(query: str) -> bool:
    """Whether `respgraph cypher --neo4j` would send the query: the read-only gate lets it through."""
    try:
        cypher_gate.check(query, "neo4j")
    except cypher_gate.QueryRefused:
        return False
    return True


def readme_examples() -> tuple[list[dict], list[str]]:
    """(statements, refused): the README's `$ respgraph cypher …` queries and ```cypher blocks;
    refused are the examples the read-only gate refuses (they show a refusal, not Neo4j Cypher)."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    out, refused, fence = [], [], None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("```"):
            if fence is None:
                fence, block = stripped[3:].strip().lower(), []
                start = number
            else:
                if fence == "cypher":
                    for i, text in enumerate(split_like_cypher_shell("\n".join(block))):
                        out.append(statement(f"README.md:{start} block {i}", text))
                fence = None
            continue
        if fence is None:
            continue
        block.append(line)
        if stripped.startswith("$ "):
            found = command_query(stripped[2:])
            if found is None:
                continue
            query, parameters = found
            if neo4j_bound(query):
                out.append(statement(f"README.md:{number}", query, parameters))
            else:
                refused.append(f"README.md:{number}")
    return out, refused


def help_texts() -> dict[str, str]:
    """Every command's help text (the docstring --help prints), by command path."""
    import click

    from respgraph.cli import cli

    out = {}

    def walk(command, path, parent):
        context = click.Context(command, info_name=path[-1], parent=parent)
        out[" ".join(path)] = command.help or ""
        if isinstance(command, click.Group):
            for name in command.list_commands(context):
                walk(command.get_command(context, name), [*path, name], context)

    walk(cli, ["respgraph"], None)
    return out


def help_examples() -> list[dict]:
    """The `respgraph cypher '…'` examples of every --help, a wrapped example joined back."""
    out = []
    for path, text in help_texts().items():
        for paragraph in re.split(r"\n\s*\n", text):
            flat = " ".join(paragraph.split())
            for match in re.finditer(r"\brespgraph cypher\b", flat):
                found = command_query(flat[match.start():])
                if found and neo4j_bound(found[0]):
                    out.append(statement(f"{path} --help example {len(out)}", *found))
    return out


# ---------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------

BROKEN = [
    # Cypher 5 explains the Neo4j 4 syntax; Cypher 25 only says what it expected.
    ("CREATE CONSTRAINT ON (n:X) ASSERT n.id IS UNIQUE",
     r"ON and ASSERT should not be used|Invalid input '\(': expected 'IF NOT EXISTS' or 'FOR'"),
    ("MATCH (n) WHERE exists(n.prop) RETURN n", r"exists\(variable.property\)` is no longer supported"),
    ("MATCH (n:X) RETURN n", "Label X is not present in the database"),
    ("MATCH (n:Agnecy) RETURN n.name", "Label Agnecy is not present in the database"),
    ("MATCH (a:Agency)-[:RESPONSIBLE_FRO]->(t:Task) RETURN t", "Relationship type RESPONSIBLE_FRO is not present"),
    ("MATCH (n:Agency) RETURN n.nmae", "nmae is not present in the database"),
    ("MATCH (t:Task)-[:RESPONSIBLE_FOR]->(a:Agency) RETURN a.name", "has no incoming"),
    ("MATCH (a:Agency)-[:RESPONSIBLE_FOR]->(t:Task) RETURN b.name", "Variable `b` not defined"),
    ("MATCH (a:Agency) RETURN id(a) AS n", "deprecated"),
    ("MATCH (a:Agency) WHERE a.name = $unti RETURN a", r"Parameter \$unti is not defined"),
    ("MATCH (a:Agency) RETURN apoc.coll.sort(a.aliases) AS printed", "Function apoc.coll.sort is not present"),
    ("MATCH (a:Agency) RETURN list_sort(a.aliases) AS printed", "Function list_sort is not present"),
    ("MATCH (a:Agency) RETURN a.name ORDER BY", "Invalid input"),
]
FINE = ("MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(t:Task)-[:TASK_OF]->(d:Document) "
        "WHERE a.name = $unit OR $unit IN coalesce(a.aliases, []) "
        "RETURN a.name, r.role, t.title, d.title ORDER BY t.ordinal")


@pytest.fixture(scope="module")
def checked(graph, tmp_path_factory):
    """Every statement group, checked in one batch: {group: statements} and the checker's results."""
    require_checker()
    folder = tmp_path_factory.mktemp("cypher-script")
    with pytest.MonkeyPatch.context() as monkeypatch:
        pushed = pushed_statements(graph, monkeypatch)
    readme, _ = readme_examples()
    groups = {
        "broken": [statement(f"broken {i}", text, {"unit": ""}) for i, (text, _) in enumerate(BROKEN)],
        "fine": [statement("fine", FINE, {"unit": ""})],
        "library": library_statements(),
        "push": pushed + count_statements(),
        "script": script_statements(tricky_graph(), folder, "export cypher", 4)
        + [statement(f"export neo4j-admin {neo4j_admin.CONSTRAINTS_NAME} {i}", text) for i, text
           in enumerate(split_like_cypher_shell(neo4j_admin.constraints_script().decode("utf-8")))]
        + import_script_statements(),
        "readme": readme,
        "help": help_examples(),
    }
    everything = [s for group in groups.values() for s in group]
    return groups, run_checker(everything, workers=max(1, min(2, os.cpu_count() or 1)))


def test_the_ci_script_installs_the_pinned_checker():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"{PACKAGE}@{PINNED}" in ci
    assert ci.index("cypher-lint") < ci.index("pytest")
    assert "/.cypher-lint/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_a_missing_checker_skips_here_and_fails_in_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("CYPHER_LINT_DIR", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="is not installed"):
        require_checker()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI"):
        require_checker()


@pytest.mark.parametrize("number", range(len(BROKEN)), ids=[text for text, _ in BROKEN])
def test_broken_cypher_fails_with_neo4js_message(checked, number):
    groups, report = checked
    message = BROKEN[number][1]
    problems = failures(report, [groups["broken"][number]])
    assert len(problems) == len(VERSIONS), problems
    assert all(re.search(message, problem) for problem in problems), problems


def test_a_relationship_drawn_the_right_way_with_declared_parameters_passes(checked):
    groups, report = checked
    assert_neo4j_accepts(report, groups["fine"])


def test_every_library_query_is_neo4j_cypher(checked):
    groups, report = checked
    assert len(groups["library"]) == len(library.library())
    assert_neo4j_accepts(report, groups["library"])


def test_every_statement_of_the_push_is_neo4j_cypher(checked):
    groups, report = checked
    assert_neo4j_accepts(report, groups["push"])


def test_every_statement_of_the_cypher_shell_scripts_is_neo4j_cypher(checked):
    """`respgraph export cypher`'s script, and constraints.cypher of `respgraph export neo4j-admin`."""
    groups, report = checked
    assert_neo4j_accepts(report, groups["script"])


def test_every_readme_and_help_example_is_neo4j_cypher(checked):
    groups, report = checked
    assert groups["readme"], "no `$ respgraph cypher …` example found in README.md"
    assert any(s["name"].startswith("respgraph cypher --help") for s in groups["help"]), groups["help"]
    assert_neo4j_accepts(report, groups["readme"] + groups["help"])


def test_the_script_splits_into_exactly_its_statements(graph, tmp_path):
    """What cypher-shell reads is what the writer meant: no ';', quote or comment inside a value
    cuts or joins statements (on the whole bundled graph, and on the tricky values)."""
    for name, source in (("bundled", graph), ("tricky", tricky_graph())):
        path = tmp_path / f"{name}.cypher"
        cypher_script.export_cypher_script(source, path, rows_per_statement=7)
        split = split_like_cypher_shell(path.read_text(encoding="utf-8"))
        expected = cypher_script.script_statements(source, rows_per_statement=7)
        assert [strip_comments(s).strip() for s in split] == expected
