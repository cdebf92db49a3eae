"""The read-only gate: which Cypher texts `respgraph cypher` and `respgraph query` may run at all.

Why a gate of our own. Opening the embedded database read-only stops writes to the graph, but
not what the engine does beside it: ``COPY (…) TO '/any/file'`` and ``EXPORT DATABASE`` write
files, ``LOAD FROM '/etc/passwd'`` reads them, ``LOAD EXTENSION`` runs native code, and
``CHECKPOINT`` breaks the database for every later call. The ladybug Python binding does not tell
what kind of statement a prepared query is (only whether it prepared), so the decision is made
here, before any engine sees the text, by *allowing* a small set of reading forms and refusing
everything else, unknown words included:

* the clauses MATCH, OPTIONAL MATCH, WHERE, WITH, UNWIND, RETURN, ORDER BY, SKIP, LIMIT and
  UNION [ALL], inside subqueries (``EXISTS { … }``, ``COUNT { … }``, ``CALL { … }``) as well;
* ``CALL f(…)`` only for the read-only table functions in ``ALLOWED_CALLS`` (never
  ``CALL setting = value``, never a procedure that reads files or runs Cypher given as text);
* one statement: a ``;`` may only end the query;
* at most ``MAX_QUERY_CHARS`` characters, brackets nested at most ``MAX_DEPTH`` deep and at most
  ``MAX_OPERATORS`` operators: the engine's parser and binder recurse on these (3,000 nested
  parentheses or a 40 KB ``RETURN 1+1+…`` crash it, a 1 MB query hangs it), so such queries are
  refused before they reach it.

The text is first split into tokens the way ladybug's lexer (``src/antlr4/Cypher.g4``) splits
it: string literals in both quote kinds with backslash escapes (``''`` is not an escape there),
backtick names (a doubled backtick continues the name), ``//`` and ``/* */`` comments with the
grammar's own rule for where a block comment ends (``/* **/ x */`` is one comment to ladybug, so
a comment that ends in different places for ladybug and for standard Cypher is refused),
parameters, numbers and punctuation, so that a keyword hidden in a comment or string is never
mistaken for code and code is never mistaken for a comment. Then the clauses are walked: a word
stands at *clause position* where the query or a subquery starts, after UNION [ALL], and after a
complete expression (a name, a literal, a closing bracket, DESC …) unless it continues that
expression (AS, AND, IN, THEN …). Every word at clause position must be an allowed clause. As a
second line of defence, the keywords that start writing or administrative statements (COPY,
CREATE, LOAD, CHECKPOINT …) are refused wherever they stand as a bare word, unless they are
clearly a name: a property (``n.copy``), a label or map key (``:Copy``, ``{copy: 1}``), an alias
(``AS copy``); write ```copy``` in backticks to use such a name as a variable.

The same gate runs for the embedded engine and for Neo4j (``engine="neo4j"``, which also keeps
its read transaction); only the CALL allowlist differs, and Neo4j's namespaced functions are
limited to the built-in namespaces (``apoc.cypher.run…`` would run text the gate never saw).

>>> check("MATCH (n:Agency) RETURN n.name ORDER BY n.name LIMIT 3")
>>> check("COPY (RETURN 1) TO '/tmp/x.csv'")
Traceback (most recent call last):
...
respgraph.queries.cypher_gate.QueryRefused: refused: COPY is not a reading clause (respgraph cypher only reads the graph)
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from respgraph.errors import UsageProblem

MAX_QUERY_CHARS = 20_000
MAX_DEPTH = 64
MAX_OPERATORS = 1_000

# Table functions that only describe the database (their names as the engine lists them, lower case).
ALLOWED_CALLS = {
    "embedded": ("show_tables", "table_info", "show_connection", "show_functions", "show_indexes",
                 "current_setting", "db_version"),
    "neo4j": ("db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
              "db.schema.nodetypeproperties", "db.schema.reltypeproperties"),
}
# Namespaces of Neo4j's built-in functions (ladybug has no namespaced functions at all).
FUNCTION_NAMESPACES = ("date", "datetime", "localdatetime", "localtime", "time", "duration", "point", "vector")

# Words that start a writing or administrative statement or clause in ladybug or Neo4j: refused
# wherever they stand as a bare word (see the module docstring).
DENIED = frozenset("""
    COPY EXPORT IMPORT LOAD INSTALL UNINSTALL UPDATE FORCE ATTACH DETACH USE CHECKPOINT ANALYZE COMMENT
    CREATE MERGE SET DELETE REMOVE DROP ALTER RENAME BEGIN COMMIT ROLLBACK FOREACH PROFILE EXPLAIN CALL
    SHOW GRANT DENY REVOKE TERMINATE FINISH INSERT
""".split())
# Two-word names for the refusal message.
CLAUSE_NAMES = {"DETACH": ("DELETE",), "LOAD": ("EXTENSION", "FROM", "CSV"), "EXPORT": ("DATABASE",),
                "IMPORT": ("DATABASE",), "BEGIN": ("TRANSACTION",), "CREATE": ("MACRO", "NODE", "REL")}
# Keywords after which an operand must follow: a word after them is never at clause position.
CONTINUING = frozenset("""
    MATCH OPTIONAL WHERE WITH UNWIND RETURN ORDER BY SKIP LIMIT UNION ALL CALL YIELD AS AND OR XOR NOT
    IS IN CONTAINS STARTS ENDS CASE WHEN THEN ELSE DISTINCT
""".split())
# Keywords that may follow a complete expression without starting a clause.
INFIX = frozenset("AS AND OR XOR IS IN CONTAINS STARTS ENDS WHEN THEN ELSE END ASC DESC ASCENDING DESCENDING YIELD".split())
WORD_OPERATORS = frozenset("AND OR XOR NOT".split())
OPERATORS = frozenset("+ - * / % ^ = <> < > <= >= =~ != | &".split())
STARTS = "a query starts with MATCH, OPTIONAL MATCH, UNWIND, WITH, RETURN or CALL"
SUBQUERY_WORDS = frozenset("EXISTS COUNT COLLECT CALL".split())

# ladybug's whitespace (the grammar's WHITESPACE rule); other characters are tokens.
WHITESPACE = frozenset(" \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\u00a0\u1680\u180e\u2028\u2029\u202f\u205f\u3000"
                       + "".join(chr(c) for c in range(0x2000, 0x200b)))
ESCAPES = frozenset("\\'\"bBfFnNrRtTxXuU")
PUNCTUATION = ("<>", "<=", ">=", "=~", "!=", "..", "::", ":=", "<<", ">>")
OPEN = {"(": ")", "[": "]", "{": "}"}
CLOSE = {")", "]", "}"}


class QueryRefused(ValueError, UsageProblem):
    """A query the gate does not let any engine run: one line, starting with "refused:"."""


@dataclass(frozen=True)
class Token:
    kind: str  # word, name (backticked), string, number, param, punct
    text: str
    start: int

    @property
    def keyword(self) -> str | None:
        """The word in upper case when it can be a keyword (the engine's keywords are ASCII)."""
        return self.text.upper() if self.kind == "word" and self.text.isascii() else None


def _starts_name(ch: str) -> bool:
    if ch.isascii():
        return ch.isalpha() or ch == "_"
    return ch.isidentifier() or unicodedata.category(ch) == "Pc"


def _continues_name(ch: str) -> bool:
    if ch.isascii():
        return ch.isalnum() or ch in "_$"
    return ("a" + ch).isidentifier() or unicodedata.category(ch) in ("Pc", "Sc")


def refuse(message: str):
    raise QueryRefused(f"refused: {message}")


def _block_comment_end(text: str, start: int) -> int:
    """Index after the ``*/`` that ends the block comment opened at ``start``, by ladybug's rule.

    The grammar reads ``'/*' ( ~[*] | '*' ~[/] )* '*/'``: a star followed by anything but a slash
    is consumed with that character, so ``/* **/`` does not end there. Standard Cypher ends a
    comment at the first ``*/``; where the two differ the query is refused.
    """
    i = start + 2
    n = len(text)
    while i < n:
        if text[i] == "*":
            if i + 1 < n and text[i + 1] == "/":
                end = i + 2
                break
            i += 2
        else:
            i += 1
    else:
        refuse(f"the /* comment at character {start + 1} is never closed")
    first = text.find("*/", start + 2)
    if first + 2 != end:
        refuse(f"the /* comment at character {start + 1} ends at a different */ for different Cypher engines "
               "(write it without a * just before a */)")
    return end


def tokenize(text: str) -> list[Token]:
    """The tokens of a query, comments and whitespace left out; QueryRefused on malformed or oversized text."""
    if len(text) > MAX_QUERY_CHARS:
        refuse(f"the query is {len(text):,} characters long; respgraph runs queries of at most {MAX_QUERY_CHARS:,}")
    tokens: list[Token] = []
    stack: list[tuple[str, int]] = []
    operators = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in WHITESPACE:
            i += 1
        elif text.startswith("//", i):
            # A line comment ends at a line break; ladybug does not accept a lone \r there, and the
            # text after it is read as code, never skipped.
            j = i + 2
            while j < n and text[j] not in "\r\n":
                j += 1
            i = j
        elif text.startswith("/*", i):
            i = _block_comment_end(text, i)
        elif ch in "'\"":
            j = i + 1
            while j < n and text[j] != ch:
                if text[j] == "\\":
                    if j + 1 >= n or text[j + 1] not in ESCAPES:
                        escaped = text[j + 1:j + 2]  # shown escaped when it is a line break: the message stays one line
                        shown = escaped if escaped.isprintable() else escaped.encode("unicode_escape").decode()
                        refuse(f"the string at character {i + 1} has an invalid escape \\{shown}")
                    j += 1
                j += 1
            if j >= n:
                refuse(f"the string at character {i + 1} is never closed")
            tokens.append(Token("string", text[i:j + 1], i))
            i = j + 1
        elif ch == "`":
            j = i
            while j < n and text[j] == "`":  # `a``b` is one name
                close = text.find("`", j + 1)
                if close < 0:
                    refuse(f"the `name` at character {i + 1} is never closed")
                j = close + 1
            tokens.append(Token("name", text[i:j], i))
            i = j
        elif ch == "$":
            j = i + 1
            if j < n and _starts_name(text[j]):
                j += 1
                while j < n and _continues_name(text[j]):
                    j += 1
            elif j < n and text[j].isdigit() and text[j].isascii():
                while j < n and text[j].isdigit() and text[j].isascii():
                    j += 1
            elif j < n and text[j] == "`":
                close = text.find("`", j + 1)
                if close < 0:
                    refuse(f"the `name` at character {j + 1} is never closed")
                j = close + 1
            tokens.append(Token("param" if j > i + 1 else "punct", text[i:j], i))
            i = j
        elif _starts_name(ch):
            j = i + 1
            while j < n and _continues_name(text[j]):
                j += 1
            word = Token("word", text[i:j], i)
            tokens.append(word)
            if word.keyword in WORD_OPERATORS:
                operators += 1
            i = j
        elif ch.isascii() and (ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isascii()
                                                 and text[i + 1].isdigit())):
            j = i
            while j < n and text[j].isascii() and text[j].isdigit():
                j += 1
            if j + 1 < n and text[j] == "." and text[j + 1].isascii() and text[j + 1].isdigit():
                j += 1
                while j < n and text[j].isascii() and text[j].isdigit():
                    j += 1
            if j < n and text[j] in "eE":
                k = j + 1 + (j + 1 < n and text[j + 1] == "-")
                if k < n and text[k].isascii() and text[k].isdigit():
                    j = k
                    while j < n and text[j].isascii() and text[j].isdigit():
                        j += 1
            tokens.append(Token("number", text[i:j], i))
            i = j
        else:
            piece = next((p for p in PUNCTUATION if text.startswith(p, i)), ch)
            if piece in OPEN:
                stack.append((piece, i))
                if len(stack) > MAX_DEPTH:
                    refuse(f"the query nests brackets more than {MAX_DEPTH} deep")
            elif piece in CLOSE:
                if not stack or OPEN[stack[-1][0]] != piece:
                    refuse(f"the {piece} at character {i + 1} closes no bracket")
                stack.pop()
            elif piece in OPERATORS:
                operators += 1
            if operators > MAX_OPERATORS:
                refuse(f"the query has more than {MAX_OPERATORS:,} operators; respgraph runs simpler queries only")
            tokens.append(Token("punct", piece, i))
            i += len(piece)
        if operators > MAX_OPERATORS:
            refuse(f"the query has more than {MAX_OPERATORS:,} operators; respgraph runs simpler queries only")
    if stack:
        opener, at = stack[-1]
        refuse(f"the {opener} at character {at + 1} is never closed")
    return tokens


class _Walker:
    """Walks the tokens clause by clause; ``refuse`` on the first thing that is not a reading form."""

    def __init__(self, tokens: list[Token], engine: str):
        self.tokens = tokens
        self.engine = engine
        self.closing: dict[int, int] = {}
        opened: list[int] = []
        for index, token in enumerate(tokens):
            if token.kind == "punct" and token.text in OPEN:
                opened.append(index)
            elif token.kind == "punct" and token.text in CLOSE:
                self.closing[opened.pop()] = index

    def text(self, index: int) -> str:
        return self.tokens[index].text if index < len(self.tokens) else ""

    def is_punct(self, index: int, text: str) -> bool:
        return 0 <= index < len(self.tokens) and self.tokens[index].kind == "punct" and self.tokens[index].text == text

    def is_name_position(self, index: int, end: int) -> bool:
        """A word used as a name: after '.', ':' or AS, or before ':' or '.' (a key, a labelled variable)."""
        before = self.tokens[index - 1] if index > 0 else None
        if before is not None and before.kind == "punct" and before.text in (".", ":", "::"):
            return True
        if before is not None and before.keyword == "AS":
            return True
        return index + 1 < end and self.tokens[index + 1].kind == "punct" and self.tokens[index + 1].text in (":", ".")

    def clause_name(self, index: int) -> str:
        keyword = self.tokens[index].keyword or self.tokens[index].text
        following = self.tokens[index + 1].keyword if index + 1 < len(self.tokens) else None
        if following and following in CLAUSE_NAMES.get(keyword, ()):
            return f"{keyword} {following}"
        return keyword

    def refuse_clause(self, index: int):
        refuse(f"{self.clause_name(index)} is not a reading clause (respgraph cypher only reads the graph)")

    def check_function(self, index: int, end: int) -> None:
        """A namespaced function call (a.b.c(…)) must use a built-in namespace: no plugin runs text we never saw."""
        j = index
        parts = [self.tokens[j].text]
        while j + 2 < end and self.is_punct(j + 1, ".") and self.tokens[j + 2].kind in ("word", "name"):
            j += 2
            parts.append(self.tokens[j].text)
        if len(parts) > 1 and self.is_punct(j + 1, "(") and not (index > 0 and self.is_punct(index - 1, ".")):
            if parts[0].lower() not in FUNCTION_NAMESPACES:
                refuse(f"{'.'.join(parts)} is not a built-in function (respgraph cypher only reads the graph)")

    # -- expression context: inside ( ), [ ] and map braces ------------------------------------

    def expression(self, start: int, end: int) -> None:
        i = start
        while i < end:
            token = self.tokens[i]
            if token.kind == "punct" and token.text in OPEN:
                close = self.closing[i]
                before = self.tokens[i - 1].keyword if i > start else None
                if token.text == "{" and before in SUBQUERY_WORDS:
                    self.query(i + 1, close, subquery=True)
                else:
                    self.expression(i + 1, close)
                i = close + 1
                continue
            if token.kind == "word":
                self.check_function(i, end)
                if token.keyword in DENIED and not self.is_name_position(i, end):
                    self.refuse_clause(i)
            i += 1

    # -- query context: the statement, and the inside of EXISTS/COUNT/CALL { } ------------------

    def query(self, start: int, end: int, subquery: bool = False) -> None:
        expect_clause = True  # the start, and after UNION [ALL]
        ended = False  # the previous token completes an expression
        previous: str | None = None  # the previous keyword, for RETURN * and friends
        i = start
        if start == end:
            refuse("a subquery is empty" if subquery else "the query is empty")
        while i < end:
            token = self.tokens[i]
            if token.kind == "punct" and token.text in OPEN:
                if expect_clause and not (subquery and token.text == "(" and i == start):
                    refuse(STARTS)
                close = self.closing[i]
                if token.text == "{" and previous in SUBQUERY_WORDS:
                    self.query(i + 1, close, subquery=True)
                else:
                    self.expression(i + 1, close)
                i, ended, expect_clause, previous = close + 1, True, False, None
                continue
            if token.kind != "word":
                if expect_clause:
                    refuse(STARTS)
                if token.kind == "punct":
                    ended = token.text == "*" and previous in ("RETURN", "WITH", "DISTINCT", "YIELD")
                else:
                    ended = True
                previous = None
                i += 1
                continue
            keyword = token.keyword
            if not expect_clause:
                self.check_function(i, end)
            if not expect_clause and (self.after_dot(i) or (not ended and self.is_name_position(i, end))):
                ended, previous = True, None  # n.copy, :Label, AS alias, {key: …}
                i += 1
                continue
            if expect_clause or (ended and keyword not in INFIX):
                i = self.clause(i, end)
                ended, expect_clause = False, keyword == "UNION"
                previous = self.tokens[i - 1].keyword
                if keyword == "CALL" and self.tokens[i - 1].kind == "punct":  # CALL f(…) is complete
                    ended, previous = True, None
                continue
            if keyword in DENIED:
                self.refuse_clause(i)
            ended = keyword is None or keyword not in CONTINUING
            previous = keyword
            i += 1

    def after_dot(self, index: int) -> bool:
        return index > 0 and self.tokens[index - 1].kind == "punct" and self.tokens[index - 1].text in (".", ":", "::")

    def clause(self, i: int, end: int) -> int:
        """Check the clause keyword at ``i``; return the index after what was consumed of it."""
        keyword = self.tokens[i].keyword
        if keyword in ("MATCH", "WHERE", "WITH", "UNWIND", "RETURN", "SKIP", "LIMIT"):
            return i + 1
        if keyword == "OPTIONAL":
            if i + 1 < end and self.tokens[i + 1].keyword == "MATCH":
                return i + 2
            if i + 1 < end and self.tokens[i + 1].kind == "word":
                following = self.tokens[i + 1].keyword or self.tokens[i + 1].text
                refuse(f"OPTIONAL {following} is not a reading clause (respgraph cypher only reads the graph)")
            refuse("OPTIONAL must be followed by MATCH")
        if keyword == "ORDER":
            if i + 1 < end and self.tokens[i + 1].keyword == "BY":
                return i + 2
            refuse("ORDER must be followed by BY")
        if keyword == "UNION":
            return i + 2 if i + 1 < end and self.tokens[i + 1].keyword == "ALL" else i + 1
        if keyword == "CALL":
            return self.call(i, end)
        self.refuse_clause(i)

    def call(self, i: int, end: int) -> int:
        """CALL { subquery }, CALL (vars) { subquery }, or CALL of an allowed table function."""
        allowed = ALLOWED_CALLS.get(self.engine, ())
        j = i + 1
        if self.is_punct(j, "("):
            close = self.closing[j]
            self.expression(j + 1, close)
            j = close + 1
            if not self.is_punct(j, "{"):
                refuse("CALL (…) must be followed by a { subquery }")
        if self.is_punct(j, "{"):
            close = self.closing[j]
            self.query(j + 1, close, subquery=True)
            return close + 1
        parts = []
        while j < end and self.tokens[j].kind in ("word", "name"):
            parts.append(self.tokens[j].text.strip("`"))
            if not (self.is_punct(j + 1, ".") and j + 2 < end and self.tokens[j + 2].kind in ("word", "name")):
                break
            j += 2
        name = ".".join(parts)
        shown = ", ".join(allowed)
        if not parts or not self.is_punct(j + 1, "("):
            refuse(f"CALL {name or self.text(j)} is not a call of a read-only table function "
                   f"(respgraph cypher allows {shown})")
        if name.lower() not in allowed:
            refuse(f"CALL {name} is not one of the read-only table functions respgraph cypher allows ({shown})")
        close = self.closing[j + 1]
        self.expression(j + 2, close)
        return close + 1


@functools.lru_cache(maxsize=256)
def _check(query: str, engine: str) -> None:
    tokens = tokenize(query)
    if tokens and tokens[-1].kind == "punct" and tokens[-1].text == ";":
        tokens = tokens[:-1]
    for token in tokens:
        if token.kind == "punct" and token.text == ";":
            refuse("one statement at a time (a ';' may only end the query)")
    if not tokens:
        refuse("the query is empty")
    _Walker(tokens, engine).query(0, len(tokens))


def check(query: str, engine: str = "embedded") -> None:
    """Return if ``query`` only reads the graph; raise QueryRefused (one line naming why) otherwise.

    ``engine`` is "embedded" (LadybugDB) or "neo4j": the CALL allowlist differs.
    """
    if not isinstance(query, str):
        raise QueryRefused("refused: the query is not text")
    try:
        query.encode("utf-8")
    except UnicodeEncodeError:  # bytes the shell passed that are not UTF-8: no engine can take them
        raise QueryRefused("refused: the query is not valid UTF-8 text") from None
    _check(query, engine)


def parameters(query: str) -> list[str]:
    """The names of the ``$parameters`` a query uses, in order of first use (``$`a b``` → "a b").

    For a query the gate accepts; a string or comment that merely contains a ``$`` names none.
    """
    names: dict[str, None] = {}
    for token in tokenize(query):
        if token.kind == "param":
            name = token.text[1:]
            if name.startswith("`"):
                name = name[1:-1].replace("``", "`")
            names.setdefault(name)
    return list(names)
