"""The analysts' query library: named, parameterised Cypher files that run on either engine.

Each ``queries/cypher/NAME.cypher`` opens with a comment header::

    // One line: what the query answers.
    // More comment lines: caveats, how names are matched.
    // @param unit STRING  What to pass (required: no default).
    // @param city STRING = ""  Optional: the default is a JSON literal.

Parameter types are the schema's type names (STRING, INT64, DOUBLE, BOOLEAN, STRING[]). The
body is Cypher that LadybugDB and Neo4j both accept: no ``labels()``/``label()``, no list
comprehensions, no APOC, and every ORDER BY total, so both engines give the same rows in the
same order.

>>> from queries import library
>>> library.get("load_by_unit").parameters[0].name
'city'
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

QUERY_DIR = Path(__file__).parent / "cypher"
PARAM_LINE = re.compile(r"^@param\s+(?P<name>[A-Za-z_]\w*)\s+(?P<type>STRING\[\]|STRING|INT64|DOUBLE|BOOLEAN)"
                        r"(?:\s*=\s*(?P<default>\"(?:[^\"\\]|\\.)*\"|\S+))?\s*(?P<doc>.*)$")
NO_DEFAULT = object()


class QueryLibraryError(ValueError):
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
    body = "\n".join(lines[len(header):]).strip()
    if not header or not header[0] or header[0].startswith("@"):
        raise QueryLibraryError(f"{path}: the first line must be a // comment saying what the query answers")
    if not body:
        raise QueryLibraryError(f"{path}: no Cypher after the comment header")
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
    return NamedQuery(path.stem, header[0], tuple(notes), tuple(parameters), body, path)


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
            return int(value) if isinstance(value, int) else int(str(value).strip())
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


def run(engine, name: str, parameters: dict | None = None):
    """Run a named query on an engine (``cypher_engine.EmbeddedEngine`` or ``neo4j_store.Neo4jEngine``)."""
    query = get(name)
    return engine.run(query.text, bind(query, parameters or {}))


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
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise QueryLibraryError(f"-p {item}: '{name}' is not a parameter name")
    return out
