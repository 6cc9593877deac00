"""A query's parse error told so that a person can act on it.

The commonest mistake in a SPARQL query is a prefix used and never declared (``?p a
schema:Person`` without ``PREFIX schema: …``). Oxigraph reports it as every character its
grammar would have taken at that point: ``error at 1:36: expected one of Prefix not found,
['%'], ['-' | '0' ..= '9' | …`` — six lines of Unicode ranges that do not name the prefix.
`explain` keeps the position and says which prefix, and the declaration to add where the
namespace is one the project knows (the prefixes its tables and pages write).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: What Oxigraph's parser says when a prefixed name's prefix was never declared.
PREFIX_NOT_FOUND = "Prefix not found"
_POSITION = re.compile(r"error at (\d+):(\d+)")
#: A prefixed name ending where the parser stopped (it reports the position after the name):
#: PN_PREFIX, possibly empty, ":" and the local part (SPARQL 1.1 §19.8, loosely).
_NAME_BEFORE = re.compile(r"(?<![\w?$:])((?:[A-Za-z][\w.-]*)?):[\w.%:-]*\Z")


def undeclared_prefix(text: str, message: str) -> str | None:
    """The prefix (without its colon; "" for the empty prefix) an error about an undeclared
    prefix is about, or None if the message is another error or the name cannot be found."""
    if PREFIX_NOT_FOUND not in message:
        return None
    position = _POSITION.search(message)
    if position is None:
        return None
    line, column = int(position.group(1)), int(position.group(2))
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    found = _NAME_BEFORE.search(lines[line - 1][: column - 1])  # columns count characters
    return found.group(1) if found is not None else None


def explain(text: str, message: str, known: Mapping[str, str]) -> str:
    """`message` (the parser's), or, for an undeclared prefix, its position and what to do:
    the declaration to add if `known` (prefix → namespace) has the prefix."""
    prefix = undeclared_prefix(text, message)
    if prefix is None:
        return message
    position = _POSITION.search(message)
    assert position is not None  # undeclared_prefix found it
    said = message[: position.end()]  # what came before ("The query does not parse: …")
    if prefix in known:
        return (
            f"{said}: the prefix {prefix}: is not declared; "
            f"add PREFIX {prefix}: <{known[prefix]}> before the query"
        )
    return (
        f"{said}: the prefix {prefix}: is not declared; declare it "
        f"(PREFIX {prefix}: <namespace IRI>) or write the full IRI in angle brackets"
    )
