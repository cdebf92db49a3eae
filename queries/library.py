"""The analysts' query library: named, parameterised Cypher files that run on either engine.

Each ``queries/cypher/NAME.cypher`` opens with a comment header::

    // One line: what the query answers.
    // More comment lines: caveats, how names are matched.
    // @param unit STRING  What to pass (required: no default).
    // @param city STRING = ""  Optional: the default is a JSON literal.

Parameter types are the schema's type names (STRING, INT64, DOUBLE, BOOLEAN, STRING[]). The
body is Cypher that LadybugDB and Neo4j both accept: no ``labels()``/``label()``, no list
comprehensions, no APOC, and every ORDER BY total, so both engines give the same rows in the
same order. A list column is sorted too: collected from rows sorted first (``WITH DISTINCT …
ORDER BY x SKIP 0`` then ``collect(x)``; ladybug wants the SKIP, and its ``collect(DISTINCT)``
does not keep the order of its rows). A list property is read as ``coalesce(n.p, [])``: the
push stores an empty list as ``[]``, neo4j-admin import as no property. tests/test_neo4j_syntax.py
checks every body with Neo4j's own Cypher front end.

A file may end with an embedded form, after a line ``// @embedded`` (or ``// @embedded when
city = ""``: only for that parameter value). The embedded database runs it instead of the
portable body: it reads the facts the loader derives (``cypher_engine.DERIVED_*``: counts per
unit, task and document, co-responsible pairs, topics per city, sort ranks), which Neo4j does
not have, and must give the same rows (tests/test_cypher.py runs both forms). ``NamedQuery.text``
stays the portable body; ``text_for`` picks the form.

>>> from respgraph.queries import library
>>> library.get("load_by_unit").parameters[0].name
'city'
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from respgraph.errors import UsageProblem

QUERY_DIR = Path(__file__).parent / "cypher"
EMBEDDED_LINE = re.compile(r"^@embedded\b(?:\s+when\s+(?P<name>[A-Za-z_]\w*)\s*=\s*"
                           r"(?P<value>\"(?:[^\"\\]|\\.)*\"|\S+))?(?P<doc>.*)$")
PARAM_LINE = re.compile(r"^@param\s+(?P<name>[A-Za-z_]\w*)\s+(?P<type>STRING\[\]|STRING|INT64|DOUBLE|BOOLEAN)"
                        r"(?:\s*=\s*(?P<default>\"(?:[^\"\\]|\\.)*\"|\S+))?\s*(?P<doc>.*)$")
NO_DEFAULT = object()


class QueryLibraryError(ValueError, UsageProblem):
    """A malformed .cypher file, an unknown query, or parameters that do not fit it."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: object
    doc: str

    @property
    def required(self) -> bool:
        return self.default is NO_DEFAULT

    def describe(self) -> str:
        default = "" if self.required else f"={json.dumps(self.default, ensure_ascii=False)}"
        return f"{self.name}:{self.type}{default}"


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    notes: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    text: str
    path: Path
    embedded: str | None = None  # the form the embedded database runs, reading its derived facts
    embedded_when: tuple[str, object] | None = None  # (parameter, value): the embedded form only then

    def text_for(self, engine_name: str, parameters: dict | None = None) -> str:
        """The body to run on an engine ("embedded" or "neo4j") with these bound parameters."""
        if engine_name != "embedded" or self.embedded is None:
            return self.text
        if self.embedded_when is not None:
            name, value = self.embedded_when
            if (parameters or {}).get(name) != value:
                return self.text
        return self.embedded


def parse_query(path: Path, source: str | None = None) -> NamedQuery:
    """A NamedQuery from a .cypher file: header comments, then the Cypher body."""
    source = path.read_text(encoding="utf-8") if source is None else source
    lines = source.splitlines()
    header: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped.startswith("//"):
            break
        header.append(stripped[2:].strip())
    body_lines = lines[len(header):]
    marks = [i for i, line in enumerate(body_lines)
             if line.strip().startswith("//") and EMBEDDED_LINE.match(line.strip()[2:].strip())]
    if len(marks) > 1:
        raise QueryLibraryError(f"{path}: more than one // @embedded line")
    body = "\n".join(body_lines[:marks[0]] if marks else body_lines).strip()
    embedded = "\n".join(body_lines[marks[0] + 1:]).strip() if marks else None
    if not header or not header[0] or header[0].startswith("@"):
        raise QueryLibraryError(f"{path}: the first line must be a // comment saying what the query answers")
    if not body:
        raise QueryLibraryError(f"{path}: no Cypher after the comment header")
    if embedded == "":
        raise QueryLibraryError(f"{path}: no Cypher after // @embedded")
    notes, parameters = [], []
    for line in header[1:]:
        if not line.startswith("@"):
            notes.append(line)
            continue
        match = PARAM_LINE.match(line)
        if not match:
            raise QueryLibraryError(f"{path}: cannot read '{line}' (expected '@param NAME TYPE [= DEFAULT] description')")
        default = NO_DEFAULT
        if match["default"] is not None:
            try:
                default = coerce(json.loads(match["default"]), match["type"], match["name"])
            except (ValueError, QueryLibraryError) as error:
                raise QueryLibraryError(f"{path}: bad default for {match['name']}: {error}") from error
        parameters.append(Parameter(match["name"], match["type"], default, match["doc"].strip()))
    for parameter in parameters:
        if not re.search(rf"\${parameter.name}\b", body):
            raise QueryLibraryError(f"{path}: parameter {parameter.name} is declared but the query never uses it")
    declared = {p.name: p for p in parameters}
    for text in (body, embedded or ""):
        for used in sorted(set(re.findall(r"\$([A-Za-z_]\w*)", text)) - set(declared)):
            raise QueryLibraryError(f"{path}: the query uses ${used}, which no @param line declares")
    when = None
    if marks:
        mark = EMBEDDED_LINE.match(body_lines[marks[0]].strip()[2:].strip())
        if mark["name"]:
            if mark["name"] not in declared:
                raise QueryLibraryError(f"{path}: // @embedded when {mark['name']}: no such parameter")
            try:
                value = coerce(json.loads(mark["value"]), declared[mark["name"]].type, mark["name"])
            except (ValueError, QueryLibraryError) as error:
                raise QueryLibraryError(f"{path}: bad value in // @embedded when: {error}") from error
            when = (mark["name"], value)
    return NamedQuery(path.stem, header[0], tuple(notes), tuple(parameters), body, path, embedded, when)


def library(folder: Path = QUERY_DIR) -> dict[str, NamedQuery]:
    """Every named query of the folder, by name."""
    return {path.stem: parse_query(path) for path in sorted(folder.glob("*.cypher"))}


def get(name: str, folder: Path = QUERY_DIR) -> NamedQuery:
    """One named query; ``-`` and ``_`` are interchangeable in the name."""
    queries = library(folder)
    key = name.strip().replace("-", "_")
    if key not in queries:
        raise QueryLibraryError(f"no query named '{name}'; 'respgraph query --list' shows {len(queries)} queries")
    return queries[key]


TRUE_WORDS = {"true", "1", "yes", "y", "on"}
FALSE_WORDS = {"false", "0", "no", "n", "off"}


INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def check_text(value, name: str) -> None:
    """A text value the engines can take: UTF-8 (a lone surrogate, from bytes the shell passed
    that are not UTF-8, cannot be sent)."""
    for text in value if isinstance(value, list) else [value]:
        if isinstance(text, str):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise QueryLibraryError(f"parameter {name} is not valid UTF-8 text") from None


def coerce(value, type_name: str, name: str = "value"):
    """A parameter value as its declared type; command-line strings are converted, others checked."""
    try:
        if type_name == "STRING":
            if not isinstance(value, str):
                raise ValueError
            return value
        if type_name == "INT64":
            if isinstance(value, bool):
                raise ValueError
            number = int(value) if isinstance(value, int) else int(str(value).strip())
            if not INT64_MIN <= number <= INT64_MAX:
                raise ValueError  # beyond INT64: the engine could not take it
            return number
        if type_name == "DOUBLE":
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if type_name == "BOOLEAN":
            if isinstance(value, bool):
                return value
            word = str(value).strip().lower()
            if word in TRUE_WORDS | FALSE_WORDS:
                return word in TRUE_WORDS
            raise ValueError
        if type_name == "STRING[]":
            if isinstance(value, str):
                text = value.strip()
                value = json.loads(text) if text.startswith("[") else [v.strip() for v in text.split(",") if v.strip()]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError
            return list(value)
    except ValueError:
        raise QueryLibraryError(f"parameter {name} takes {type_name}, got {value!r}") from None
    raise QueryLibraryError(f"parameter {name} has unknown type {type_name}")


def bind(query: NamedQuery, given: dict) -> dict:
    """The parameters to send: given values coerced to their types, defaults for the rest."""
    known = {p.name: p for p in query.parameters}
    unknown = sorted(set(given) - set(known))
    if unknown:
        takes = ", ".join(known) or "no parameters"
        raise QueryLibraryError(f"query {query.name} has no parameter {', '.join(unknown)}; it takes {takes}")
    bound = {}
    for parameter in query.parameters:
        if parameter.name in given:
            bound[parameter.name] = coerce(given[parameter.name], parameter.type, parameter.name)
        elif parameter.required:
            raise QueryLibraryError(f"query {query.name} needs -p {parameter.name}=… ({parameter.doc})")
        else:
            bound[parameter.name] = parameter.default
    return bound


def run(engine, name: str, parameters: dict | None = None, form: str | None = None):
    """Run a named query on an engine (``cypher_engine.EmbeddedEngine`` or ``neo4j_store.Neo4jEngine``).

    The engine runs its own form of the query (``NamedQuery.text_for``); a database made by an
    older loader, without the derived facts, fails the embedded form and answers with the
    portable one. ``form="portable"`` or ``"embedded"`` runs that form on the embedded engine,
    with no fallback (tests run both and compare them).
    """
    query = get(name)
    bound = bind(query, parameters or {})
    engine_name = getattr(engine, "name", "")
    if form is None or engine_name != "embedded":
        text = query.text_for(engine_name, bound)
        try:
            return engine.run(text, bound)
        except ValueError:  # cypher_engine.CypherError
            if text == query.text:
                raise
            return engine.run(query.text, bound)
    if form not in ("portable", "embedded"):
        raise QueryLibraryError(f"form is portable or embedded, not {form!r}")
    return engine.run(query.text if form == "portable" else query.text_for("embedded", bound), bound)


TYPE_ALIASES = {"str": "STRING", "string": "STRING", "int": "INT64", "int64": "INT64", "float": "DOUBLE",
                "double": "DOUBLE", "bool": "BOOLEAN", "boolean": "BOOLEAN", "list": "STRING[]",
                "string[]": "STRING[]"}


def parse_assignments(items: tuple[str, ...] | list[str], typed: bool = True) -> dict:
    """``-p`` options as a dict: ``name=value`` (a string), or ``name:TYPE=value`` when ``typed``.

    TYPE is a schema type name or int, float, bool, list; ``name=value`` stays a string so a
    unit named 123 is not turned into a number behind the user's back.
    """
    out: dict = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise QueryLibraryError(f"-p {item}: expected NAME=VALUE")
        name, _, type_name = key.strip().partition(":")
        if type_name:
            if not typed:
                raise QueryLibraryError(f"-p {item}: a named query declares its parameter types; write {name}=VALUE")
            resolved = TYPE_ALIASES.get(type_name.lower(), type_name.upper())
            if resolved not in {"STRING", "INT64", "DOUBLE", "BOOLEAN", "STRING[]"}:
                raise QueryLibraryError(f"-p {item}: unknown type {type_name} (use STRING, INT64, DOUBLE, BOOLEAN, STRING[])")
            out[name] = coerce(value, resolved, name)
        else:
            out[name] = value
        check_text(out[name], name)
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise QueryLibraryError(f"-p {item}: '{name}' is not a parameter name")
    return out
