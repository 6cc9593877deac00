"""Advice on a query before it runs: parts of a pattern that share no variable.

A group of triple patterns that falls into two sets with no variable in common asks for
every pairing of the first set's matches with the second's: a cross product, the classic
mistake that makes a query slow and its answer wrong (`?a a schema:Person . ?b a
org:Organization` pairs 27 people with 19 organisations: 513 rows, none meaningful). The
editor shows it as you type, before anything runs; none of the endpoints we compare offers
it (research note, §5: "a pre-execution warning for unbounded cross joins").

The query is read with rdflib's SPARQL 1.1 parser, which gives the query's syntax tree
(Oxigraph's Python binding gives none). Every group graph pattern (`{ … }`, those inside
OPTIONAL, UNION, MINUS, GRAPH and sub-queries too) is checked on its own: its triple
patterns, nested patterns, filters, BINDs and VALUES are joined by the variables (and blank
nodes) they share; a warning names each set of patterns that gives rows and is joined to no
other. The advice errs towards silence: a FILTER or BIND that mentions variables of two sets
joins them (`FILTER(?a = ?b)` is a join; `FILTER(?a != ?b)` still pairs nearly everything,
but says the pairing is meant), a sub-query counts every variable it mentions, and a query
the parser cannot read (a syntax error, which the server reports itself, or SPARQL 1.2) gets
no advice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import BNode, Variable

#: The longest query given advice: rdflib's parser takes milliseconds per thousand
#: characters, and a query this long is not being typed.
MAX_CHARS = 20_000


#: What the editor and `aigraph query` say of a cross product.
MESSAGES = {
    "fr": "Ces parties du motif ne partagent aucune variable : {sets}. La réponse associe "
    "chaque résultat de l'une à chaque résultat de l'autre ; reliez-les par une variable, ou "
    "posez-les dans des requêtes séparées.",
    "en": "These parts of the pattern share no variable: {sets}. The answer pairs every match "
    "of one with every match of the other; join them through a variable, or ask them in "
    "separate queries.",
}


@dataclass(frozen=True)
class CrossProduct:
    """Sets of patterns, in one group, that share no variable with one another: each set
    as the variables it mentions, in the order they appear."""

    parts: tuple[tuple[str, ...], ...]

    def message(self, lang: str = "en") -> str:
        sets = " × ".join("{" + " ".join(part) + "}" for part in self.parts)
        return MESSAGES[lang].replace("{sets}", sets)


def cross_products(text: str) -> list[CrossProduct]:
    """The cross products in `text`, a SPARQL query; none if it cannot be read."""
    if len(text) > MAX_CHARS:
        return []
    try:
        tree = parseQuery(text)
    except (ParseException, RecursionError, ValueError, TypeError):
        return []
    try:
        return [found for group in _groups(tree[1]) if (found := _check(group)) is not None]
    except Exception:  # advice is a courtesy: a tree of a shape not foreseen gets none
        return []


def _groups(node: object) -> Iterator[CompValue]:
    """Every group graph pattern under `node`, outermost first."""
    if isinstance(node, CompValue):
        if node.name == "GroupGraphPatternSub":
            yield node
        for value in node.values():
            yield from _groups(value)
    elif isinstance(node, list | tuple | ParseResults):
        for item in node:
            yield from _groups(item)


def _terms(node: object) -> Iterator[str]:
    """The variables and blank nodes in `node`, as written (`?x`, `_:b`), in order."""
    if isinstance(node, Variable):
        yield f"?{node}"
    elif isinstance(node, BNode):
        yield f"_:{node}"
    elif isinstance(node, CompValue):
        for value in node.values():
            yield from _terms(value)
    elif isinstance(node, list | tuple | ParseResults):
        for item in node:
            yield from _terms(item)


#: The parts of a group that give rows of their own, besides its triple patterns: a nested
#: group, a UNION, GRAPH, OPTIONAL, SERVICE or sub-query. The others (FILTER, BIND, VALUES,
#: MINUS) only join, keep or remove the rows of these.
ROWS = {
    "GroupOrUnionGraphPattern",
    "GraphGraphPattern",
    "OptionalGraphPattern",
    "ServiceGraphPattern",
}


@dataclass
class _Part:
    names: list[str]  # the variables and blank nodes it mentions, in order
    rows: bool  # gives rows of its own (a triple pattern, a nested pattern)


def _parts(group: CompValue) -> list[_Part]:
    parts: list[_Part] = []
    for part in group.get("part") or []:
        if not isinstance(part, CompValue):  # (an empty group's part is the parser's text)
            continue
        if part.name == "TriplesBlock":
            for flat in part.triples:  # a subject's property list, flattened by threes
                for i in range(0, len(flat) - 2, 3):
                    parts.append(_Part(list(_terms(flat[i : i + 3])), True))
        else:  # it joins whatever variables it mentions (see the module's note)
            parts.append(_Part(list(_terms(part)), part.name in ROWS))
    return parts


def _check(group: CompValue) -> CrossProduct | None:
    parts = [p for p in _parts(group) if p.names]  # (a pattern of constants joins nothing)
    root = list(range(len(parts)))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    first: dict[str, int] = {}
    for i, part in enumerate(parts):
        for name in part.names:
            if name in first:
                root[find(i)] = find(first[name])
            else:
                first[name] = i
    sets: dict[int, list[str]] = {}
    for i, part in enumerate(parts):
        if part.rows:
            shown = sets.setdefault(find(i), [])
            for name in part.names:
                # a blank node's label is the parser's own: name it as a reader writes it
                label = "[]" if name.startswith("_:") else name
                if label not in shown:
                    shown.append(label)
    if len(sets) < 2:
        return None
    return CrossProduct(tuple(tuple(names) for names in sets.values()))
