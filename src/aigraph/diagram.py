"""The class diagram of docs/model.md, generated from the SHACL shapes so that it cannot drift
from what validation enforces (Mermaid ``classDiagram``, rendered by GitHub and most Markdown
viewers; written by aigraph.docgen)."""

from __future__ import annotations

import re

from rdflib import Graph
from rdflib.term import Node

from aigraph.namespaces import SH
from aigraph.project import Project
from aigraph.validate import compact, path_text


def _name(iri: Node) -> str:
    """A Mermaid-safe class name: ``schema:Person`` → ``schema_Person``."""
    return re.sub(r"[^A-Za-z0-9_]", "_", compact(str(iri)))


def _cardinality(shapes: Graph, prop: Node) -> str:
    low = shapes.value(prop, SH.minCount) or shapes.value(prop, SH.qualifiedMinCount)
    high = shapes.value(prop, SH.maxCount) or shapes.value(prop, SH.qualifiedMaxCount)
    return f"{low or 0}..{high or '*'}"


def _scheme(shapes: Graph, node_shape: Node) -> str | None:
    for prop in shapes.objects(node_shape, SH.property):
        value = shapes.value(prop, SH.hasValue)
        if value is not None:
            return compact(str(value))
    return None


def mermaid(shapes: Graph) -> str:
    """A classDiagram: one class per targeted class, attributes for literal-valued
    properties, associations for IRI-valued ones (sh:class or a SKOS scheme via sh:node).
    Warnings (sh:Warning) are recommendations, not structure: they are left out."""
    attributes: dict[str, list[str]] = {}
    targets: dict[str, str] = {}
    relations: set[str] = set()
    for shape in set(shapes.subjects(SH.targetClass, None)):
        target = shapes.value(shape, SH.targetClass)
        if target is None:  # unreachable: the shape was found by its sh:targetClass
            continue
        name = _name(target)
        targets[name] = compact(str(target))
        own = attributes.setdefault(name, [])
        for prop in shapes.objects(shape, SH.property):
            if shapes.value(prop, SH.severity) == SH.Warning:
                continue
            path = path_text(shapes, shapes.value(prop, SH.path)) or "?"
            card = _cardinality(shapes, prop)
            cls = shapes.value(prop, SH["class"])
            node = shapes.value(prop, SH.node)
            scheme = _scheme(shapes, node) if node is not None else None
            if cls is not None:
                relations.add(f'    {name} --> "{card}" {_name(cls)} : {path}')
            elif scheme:
                relations.add(f'    {name} --> "{card}" skos_Concept : {path} in {scheme}')
            else:
                datatype = shapes.value(prop, SH.datatype)
                kind = compact(str(datatype)) if datatype is not None else "literal"
                own.append(
                    f"        {kind} {path.replace(':', '_').replace('^', 'inverse_')} [{card}]"
                )
    lines = ["classDiagram", "    direction LR"]
    for name in sorted(attributes):
        lines.append(f"    class {name} {{")
        lines.append(f"        <<{targets[name]}>>")
        lines += sorted(set(attributes[name]))
        lines.append("    }")
    lines += sorted(relations)
    return "\n".join(lines) + "\n"


def load_shapes(project: Project) -> Graph:
    graph = Graph()
    for path in project.shape_files():
        graph.parse(path)
    return graph
