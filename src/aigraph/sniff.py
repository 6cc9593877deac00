"""A small SPARQL lexer, enough to know what a request is before it is executed.

It tells the query form (to negotiate the response format, and answer 406, before running
anything), whether the text is an update, and which SERVICE endpoints and LOAD operations it
names (refused unless allowed: a query must never make the server send a request).

It skips comments, string literals (all four quote styles, with escapes), IRIs (exactly the
IRIREF production of SPARQL 1.1 §19.8, so that ``?a < 3 && ?b > 1`` is not taken for an
IRI and cannot hide a keyword), prefixed names (``service:x`` is not the SERVICE keyword)
and variables. The engine's own parser remains the judge of syntax; this lexer only has to
be right about the keywords it reports, and errs towards reporting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[^\W\d]\w*")  # any letter or _, then word characters (str.isalpha is Unicode)
_PNAME_TAIL = re.compile(r"[A-Za-z0-9_\-.]*:[^\s{}()\[\];,]*")
_VAR = re.compile(r"[?$][A-Za-z0-9_\u00b7\u00c0-\ufffd]+")

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = (
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
)


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "iri", "var", "other"
    text: str
    start: int = 0  # offset in the text


def tokens(text: str) -> list[Token]:
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":
            end = text.find("\n", i)
            i = n if end == -1 else end + 1
        elif c in "\"'":
            triple = text.startswith(c * 3, i)
            quote = c * 3 if triple else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
        elif c == "<":
            m = _IRIREF.match(text, i)
            if m:
                out.append(Token("iri", m.group()[1:-1], i))
                i = m.end()
            else:
                out.append(Token("other", "<", i))
                i += 1
        elif c in "?$":
            m = _VAR.match(text, i)
            if m:
                out.append(Token("var", m.group(), i))
                i = m.end()
            else:
                out.append(Token("other", c, i))
                i += 1
        elif c == ":":  # a prefixed name with the empty prefix
            m = _PNAME_TAIL.match(text, i)
            i = m.end() if m else i + 1
        elif c.isalpha() or c == "_":
            m = _WORD.match(text, i)
            assert m is not None
            end = m.end()
            tail = _PNAME_TAIL.match(text, end) if end < n and text[end] in ":.-" else None
            if tail and ":" in tail.group():
                i = tail.end()  # prefixed name: not a keyword
            else:
                out.append(Token("word", m.group().upper(), i))
                i = end
        else:
            out.append(Token("other", c, i))
            i += 1
    return out


@dataclass(frozen=True)
class Sniffed:
    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE, or None (update or unknown)
    is_update: bool
    services: tuple[str, ...]  # SERVICE targets: IRIs, or "?var" for a variable endpoint
    loads: tuple[str, ...]  # LOAD sources
    depth: int = 0  # the deepest nesting of (), [] and {}
    uses_graphs: bool = True  # names graphs: GRAPH, FROM, FROM NAMED (or could not tell)
    # for a `SELECT *` query, its variables in the order they first appear (else empty)
    star_order: tuple[str, ...] = ()


#: The deepest nesting accepted. Real queries nest a few levels; Oxigraph's parser is
#: recursive, and a few thousand levels exhaust a worker's stack (the worker dies and is
#: replaced, but the client deserves a 400 that says why).
MAX_DEPTH = 256


def nesting(toks: list[Token]) -> int:
    depth = deepest = 0
    for tok in toks:
        if tok.kind == "other" and tok.text in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif tok.kind == "other" and tok.text in ")]}":
            depth -= 1
    return deepest


def sniff(text: str) -> Sniffed:
    return _sniff(tokens(text))


def _sniff(toks: list[Token]) -> Sniffed:
    words = [t.text for t in toks if t.kind == "word"]
    form = next((w for w in words if w in QUERY_FORMS), None)
    first_op = next((w for w in words if w in QUERY_FORMS or w in UPDATE_KEYWORDS), None)
    services: list[str] = []
    loads: list[str] = []
    for k, tok in enumerate(toks):
        if tok.kind != "word" or tok.text not in ("SERVICE", "LOAD"):
            continue
        rest = toks[k + 1 :]
        if rest and rest[0].kind == "word" and rest[0].text == "SILENT":
            rest = rest[1:]
        target = rest[0].text if rest and rest[0].kind in ("iri", "var") else "?"
        (services if tok.text == "SERVICE" else loads).append(target)
    return Sniffed(
        form=form if first_op in QUERY_FORMS else None,
        star_order=star_order(toks) if form == "SELECT" and first_op == "SELECT" else (),
        is_update=first_op in UPDATE_KEYWORDS,
        services=tuple(services),
        loads=tuple(loads),
        depth=nesting(toks),
        uses_graphs=bool({"GRAPH", "FROM", "NAMED"} & set(words)),
    )


def _after_select(toks: list[Token]) -> list[Token]:
    """The tokens after the first SELECT and its DISTINCT or REDUCED, if any."""
    k = next(i for i, t in enumerate(toks) if t.kind == "word" and t.text == "SELECT")
    rest = toks[k + 1 :]
    if rest and rest[0].kind == "word" and rest[0].text in ("DISTINCT", "REDUCED"):
        rest = rest[1:]
    return rest


def star_order(toks: list[Token]) -> tuple[str, ...]:
    """The variables of a query whose projection is `SELECT *`, in the order they first
    appear (`?x` and `$x` are one variable); empty for any other projection.

    SPARQL 1.1 §18.2.1 leaves the order of `SELECT *` columns to the engine; Oxigraph sorts
    them by name, Jena and rdflib keep the order of the query, which is what a reader of a
    results table expects (`?s ?p ?o`, not `?o ?p ?s`)."""
    rest = _after_select(toks)
    if not rest or rest[0].kind != "other" or rest[0].text != "*":
        return ()
    return tuple(dict.fromkeys(t.text[1:] for t in rest if t.kind == "var"))


def projection(text: str) -> tuple[str, ...]:
    """The columns of a SELECT query's answer, in order (SPARQL 1.1 Query Results CSV and TSV
    Formats §2: the header row names them): the variables its SELECT clause names, `?x` or
    `(… AS ?x)`, or, for `SELECT *`, `star_order`'s, which the endpoint follows. Empty for
    any other query form."""
    toks = tokens(text)
    if _sniff(toks).form != "SELECT":
        return ()
    rest = _after_select(toks)
    if rest and rest[0].kind == "other" and rest[0].text == "*":
        return star_order(toks)
    names: list[str] = []
    depth = 0
    previous: Token | None = None
    for tok in rest:
        if tok.kind == "other" and tok.text == "(":
            depth += 1
        elif tok.kind == "other" and tok.text == ")":
            depth -= 1
        elif depth == 0 and (
            (tok.kind == "word" and tok.text in ("WHERE", "FROM")) or tok.text == "{"
        ):
            break  # the end of the SELECT clause (grammar [9] SelectClause)
        elif tok.kind == "var" and (
            depth == 0
            or (previous is not None and previous.kind == "word" and previous.text == "AS")
        ):
            names.append(tok.text[1:])
        previous = tok
    return tuple(dict.fromkeys(names))


class UsingConflictError(ValueError):
    """The update has USING/WITH of its own and the request gives using-graph-uri too."""


def apply_using(text: str, using: list[str], using_named: list[str]) -> str:
    """The update with ``USING``/``USING NAMED`` clauses for the protocol's
    ``using-graph-uri``/``using-named-graph-uri`` (SPARQL 1.1 Protocol §2.2.3), inserted
    before the WHERE of every DELETE/INSERT … WHERE operation (SPARQL 1.1 Update grammar,
    production [41] Modify). An update that names its own dataset with USING or WITH as
    well is refused (the protocol leaves no way to combine them)."""
    if not using and not using_named:
        return text
    toks = tokens(text)
    depth = 0
    inserts: list[int] = []
    previous: Token | None = None
    for tok in toks:
        if tok.kind == "other" and tok.text == "{":
            depth += 1
        elif tok.kind == "other" and tok.text == "}":
            depth -= 1
        elif depth == 0 and tok.kind == "word":
            if tok.text in ("USING", "WITH"):
                raise UsingConflictError(
                    f"the update has its own {tok.text} clause: give either it or "
                    "using-graph-uri/using-named-graph-uri, not both"
                )
            if tok.text == "WHERE" and not (
                previous and previous.kind == "word" and previous.text == "DELETE"
            ):
                inserts.append(tok.start)
        previous = tok
    clause = "".join(f"USING <{g}> " for g in using) + "".join(
        f"USING NAMED <{g}> " for g in using_named
    )
    for position in reversed(inserts):
        text = text[:position] + clause + text[position:]
    return text
