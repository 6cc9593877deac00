"""A small SPARQL lexer, enough to know what a request is before it is executed.

It tells the query form (to negotiate the response format, and answer 406, before running
anything), whether the text is an update, and which SERVICE endpoints and LOAD operations it
names (refused unless allowed: a query must never make the server send a request).

It skips comments, string literals (all four quote styles, with escapes), IRIs (exactly the
IRIREF production of SPARQL 1.1 §19.8, so that ``?a < 3 && ?b > 1`` is not taken for an
IRI and cannot hide a keyword), prefixed names and blank node labels (exactly their
productions, so that ``service:x`` is not the SERVICE keyword, and a name ends where the
grammar ends it: in ``x:p"o"SERVICE``, SERVICE follows the name and a string) and
variables. The engine's own parser remains the judge of syntax; this lexer only has to be
right about the keywords it reports, and errs towards reporting.

Oxigraph's parser matches a keyword with no word boundary after it or before it: it reads
``SERVICEx:a {…}`` as SERVICE then ``x:a``, ``service:a {…}`` as SERVICE then ``:a``,
``SERVICESILENT``, ``trueSERVICE`` (the boolean, then SERVICE) and ``1e5SERVICE`` as SERVICE
too, where a SPARQL tokenizer sees one name or one word. So a word or a prefixed name that
holds SERVICE, LOAD, GRAPH, FROM or NAMED is also reported as that keyword, *joined*
(`Sniffed.joined` for SERVICE and LOAD, which the server refuses; GRAPH, FROM and NAMED
count for `Sniffed.uses_graphs`), except where Oxigraph could not read it so: a name whose
prefix holds SERVICE or GRAPH but is not followed by a group ``{``, as in the triple
``service:x ?p ?o``. tests/test_sniff.py asks Oxigraph itself, for every spelling of
SERVICE, LOAD, GRAPH and FROM that it builds from their parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

_SPACE = re.compile(r"\s+")
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[^\W\d]\w*")  # any letter or _, then word characters (str.isalpha is Unicode)
_VAR = re.compile(r"[?$][A-Za-z0-9_\u00b7\u00c0-\ufffd]+")
# Prefixed names and blank node labels, SPARQL 1.1 §19.8 productions [164]-[173]
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_PNAME = re.compile(f"(?P<prefix>{_PN_PREFIX})?:(?:{_PN_LOCAL})?")
#: The characters a prefix may hold, in a run: a prefixed name can start in a run only if
#: the run ends at ":" (the prefix's own characters exclude it).
_PREFIX_RUN = re.compile(f"[{_PN_CHARS}.]*")
_BLANK_NODE_LABEL = re.compile(f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?")
#: What follows a name that Oxigraph may read as SERVICE and its endpoint: a group.
_GROUP_NEXT = re.compile(r"(?:\s|#[^\n]*)*\{")

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


#: Keywords that matter to the checks, reported where Oxigraph may read them inside a longer
#: word or name (the module's docstring). SERVICE and GRAPH may follow a boolean or a number's
#: exponent (``trueSERVICE``), FROM the query form (``ASKFROM``) and NAMED FROM; LOAD begins
#: an operation, after a ``;`` or the prologue's ``>``: only at the start of one.
JOINED_ANYWHERE = ("SERVICE", "GRAPH", "FROM", "NAMED")
JOINED_AT_START = ("LOAD",)
#: The keywords Oxigraph reads only before an endpoint or graph name and a group ``{``: in a
#: prefixed name, only where a group follows it (``graph:x ?p ?o`` is a triple).
BEFORE_A_GROUP = ("SERVICE", "GRAPH")


class Token(NamedTuple):  # a tuple: made at C speed, dozens per request
    kind: str  # "word", "iri", "var", "other", or "joined" (a keyword inside a longer token)
    text: str  # the word in upper case, the IRI, the variable; a joined keyword
    start: int = 0  # offset in the text
    source: str = ""  # for a joined keyword: the word or name that holds it


_WHOLE = frozenset(JOINED_AT_START + JOINED_ANYWHERE)
_HOLDS = re.compile("^(?:" + "|".join(JOINED_AT_START) + ")|" + "|".join(JOINED_ANYWHERE))


def _joined(
    held: str, start: int, source: str, name: bool = False, group: bool = True
) -> list[Token]:
    """The keywords that `held` (upper case) holds as Oxigraph may read them: a word that
    holds one without being it; a prefixed name's prefix that holds one (`service:x`
    too), those of BEFORE_A_GROUP only where a `group` follows the name."""
    if not name and held in _WHOLE:  # the keyword itself (the caller searched _HOLDS)
        return []
    found = [k for k in JOINED_AT_START if held.startswith(k)]
    found += [k for k in JOINED_ANYWHERE if k in held]
    if name and not group:
        found = [k for k in found if k not in BEFORE_A_GROUP]
    return [Token("joined", k, start, source) for k in found]


def tokens(text: str) -> list[Token]:
    out: list[Token] = []
    i, n = 0, len(text)
    run_end = -1  # where the run of prefix characters last looked at ends
    while i < n:
        c = text[i]
        if c.isspace():
            i = _SPACE.match(text, i).end()  # type: ignore[union-attr]  # c matches
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
        elif c == "_" and text.startswith("_:", i):
            label = _BLANK_NODE_LABEL.match(text, i)
            i = label.end() if label else i + 2
        elif c == ":" or c.isalpha() or c == "_":
            word = _WORD.match(text, i) if c != ":" else None
            after = word.end() if word is not None else i
            # a prefixed name: its prefix continues the word with ".", "-", "·" (non-ASCII)
            # or ends at ":"
            name = None
            if after < n and (text[after] in ":.-" or not text[after].isascii()):
                # the run's end is found once for all the words in it (`a.a.a.…`): trying
                # each word of a long run against _PNAME took time quadratic in its length,
                # on the event loop (a 100 KB query held the server for 40 s)
                if i >= run_end:
                    match = _PREFIX_RUN.match(text, i)
                    run_end = match.end() if match else i
                if run_end < n and text[run_end] == ":":
                    name = _PNAME.match(text, i)  # ":" alone: the empty prefix, no local
            if name is not None:
                prefix = (name.group("prefix") or "").upper()
                if _HOLDS.search(prefix) is not None:  # rare: checked inline
                    # SERVICE and GRAPH are read in a name only where a group follows it
                    group = _GROUP_NEXT.match(text, name.end()) is not None
                    out.extend(_joined(prefix, i, name.group(), name=True, group=group))
                i = name.end()
            else:
                assert word is not None  # ":" always begins a name (the empty prefix)
                upper = word.group().upper()
                out.append(Token("word", upper, i))
                if _HOLDS.search(upper) is not None:  # rare: checked inline
                    out.extend(_joined(upper, i, word.group()))
                i = word.end()
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
    # words and names that hold SERVICE or LOAD where Oxigraph reads the keyword, with an
    # endpoint or a source no check can see (`SERVICEx:a`, `trueSERVICE`): refused
    joined: tuple[str, ...] = ()


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
        k += 1
        if k < len(toks) and toks[k].kind == "word" and toks[k].text == "SILENT":
            k += 1
        target = toks[k].text if k < len(toks) and toks[k].kind in ("iri", "var") else "?"
        (services if tok.text == "SERVICE" else loads).append(target)
    joined = [t for t in toks if t.kind == "joined"]
    return Sniffed(
        form=form if first_op in QUERY_FORMS else None,
        star_order=star_order(toks) if form == "SELECT" and first_op == "SELECT" else (),
        is_update=first_op in UPDATE_KEYWORDS,
        services=tuple(services),
        loads=tuple(loads),
        depth=nesting(toks),
        uses_graphs=bool({"GRAPH", "FROM", "NAMED"} & {*words, *(t.text for t in joined)}),
        joined=tuple(dict.fromkeys(t.source for t in joined if t.text in ("SERVICE", "LOAD"))),
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
