"""aigraph's Turtle and TriG writers (aigraph.turtle) write every literal as a term an
independent parser reads back identical: same lexical form, same datatype. rdflib's own
writers change integral decimals, doubles and booleans written "1" (RDFLib #608, #1852)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

S, P = URIRef("http://example.org/s"), URIRef("http://example.org/p")

LITERALS = [
    # (lexical form, datatype, rdflib's own Turtle writer keeps it)
    ("1", XSD.decimal, False),  # Oxigraph's canonical integral decimal: rdflib writes 1.0
    ("1.0", XSD.decimal, True),
    ("0.9", XSD.decimal, True),
    ("-12.50", XSD.decimal, True),
    ("11.23456789", XSD.double, False),  # rdflib: 1.123457e+01
    ("1E3", XSD.double, False),
    ("42", XSD.integer, True),
    ("true", XSD.boolean, True),
    ("1", XSD.boolean, False),  # rdflib: 1, read back as an integer
    ("2025-10-07", XSD.date, True),
]


@pytest.mark.parametrize(("lexical", "datatype", "rdflib_keeps"), LITERALS)
def test_turtle_keeps_each_literal_as_it_is(
    lexical: str, datatype: URIRef, rdflib_keeps: bool
) -> None:
    graph = Graph()
    # normalize=False: the lexical form as Oxigraph hands it over, not re-written by rdflib
    graph.add((S, P, Literal(lexical, datatype=datatype, normalize=False)))
    ours = graph.serialize(format="aigraph-turtle")
    # read back by Oxigraph's parser, not rdflib's: the term itself, lexical form included
    (quad,) = list(ox.parse(ours.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    assert (quad.object.value, quad.object.datatype.value) == (lexical, str(datatype))
    theirs = graph.serialize(format="turtle")
    (back,) = list(ox.parse(theirs.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    kept = (back.object.value, back.object.datatype.value) == (lexical, str(datatype))
    assert kept is rdflib_keeps  # the defect this module exists for


def test_trig_keeps_literals_in_named_graphs() -> None:
    ds = Dataset()
    name = URIRef("http://example.org/g")
    ds.graph(name).add((S, P, Literal("1", datatype=XSD.decimal)))
    text = ds.serialize(format="aigraph-trig").encode("utf-8")
    (quad,) = list(ox.parse(text, format=ox.RdfFormat.TRIG))
    assert quad.graph_name == ox.NamedNode(str(name)) and quad.object.value == "1"
    assert quad.object.datatype == ox.NamedNode(str(XSD.decimal))
