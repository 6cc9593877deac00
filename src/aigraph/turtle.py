"""rdflib's Turtle and TriG writers, with numbers written as the data writes them.

rdflib writes a literal in Turtle's numeric shorthand where it can, and in doing so changes
it: an ``xsd:decimal`` with no decimal point ("1", the canonical form Oxigraph gives every
integral decimal) becomes ``1.0``, an ``xsd:double`` is cut to seven significant digits
(RDFLib issues #608 and #1852), and an ``xsd:boolean`` written "1" becomes the integer 1.
The value is the same, the RDF term is not (RDF 1.1 Concepts §3.3: literal terms are equal
only if their lexical forms are), so the Turtle dump and the endpoint would disagree on the
term. These writers keep the shorthand where it round-trips and write ``"1"^^xsd:decimal``
otherwise.

Use them by name: ``graph.serialize(format="aigraph-turtle")``, ``format="aigraph-trig"``;
rdflib finds them through the ``rdf.plugins.serializer`` entry points of pyproject.toml.
"""

from __future__ import annotations

from rdflib.namespace import XSD
from rdflib.plugins.serializers.trig import TrigSerializer
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.term import Literal, Node


def exact_shorthand(literal: Literal) -> bool:
    """Whether Turtle's numeric shorthand writes `literal` with its own lexical form."""
    if literal.datatype == XSD.decimal:
        return "." in literal  # a decimal has no exponent: "1" needs the point to stay one
    if literal.datatype == XSD.boolean:  # "1" would be read back as an integer
        return str(literal) in ("true", "false")
    return literal.datatype != XSD.double


class _Exact:
    def label(self, node: Node, position: int) -> str:
        if isinstance(node, Literal) and not exact_shorthand(node):
            return node._literal_n3(
                use_plain=False,
                # a prefixed datatype only if its namespace is bound, as rdflib's own label()
                qname_callback=lambda dt: self.get_pname(dt, False),  # type: ignore[attr-defined]
            )
        return super().label(node, position)  # type: ignore[misc]


class ExactTurtleSerializer(_Exact, TurtleSerializer):
    """`aigraph-turtle` (pyproject.toml entry point)."""


class ExactTrigSerializer(_Exact, TrigSerializer):
    """`aigraph-trig` (pyproject.toml entry point)."""
