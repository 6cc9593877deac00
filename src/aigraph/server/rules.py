"""The validation rules as Linked Data: ``/shapes`` (the SHACL shapes of ``ontology/shapes/``)
and ``/checks`` (the source-text checks of :mod:`aigraph.checks`).

Their IRIs are what a validation report names (``sh:sourceShape``, the rule of a finding):
each resolves to a document that says, in words, what the rule requires — HTML for people,
one row per rule with the rule's local name as its anchor (so that ``…/shapes#Person-name``
opens at its row), RDF for machines, by ``Accept`` or extension, as ``/ns`` does.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from aigraph.checks import CHECK_RULES, CHECKS
from aigraph.project import Project
from aigraph.server.app import services_of
from aigraph.server.formats import content_type, serialize_rdflib
from aigraph.server.pages import language, render
from aigraph.server.resources import (
    EXTENSIONS,
    alternates,
    choose_media,
    content_location,
    link_header,
    not_found,
)
from aigraph.server.routing import route
from aigraph.validate import SHAPES, compact, load_shapes, path_text

router = APIRouter(tags=["Linked Data"])

TITLES = {
    "shapes": {
        "fr": "Les formes SHACL : ce que les données doivent respecter",
        "en": "The SHACL shapes: what the data must satisfy",
    },
    "checks": {
        "fr": "Les contrôles du texte source : ce que SHACL ne peut pas vérifier",
        "en": "The source-text checks: what SHACL cannot verify",
    },
}


@dataclass(frozen=True)
class Rule:
    anchor: str  # the local name: the IRI's fragment
    kind: str  # NodeShape, PropertyShape, check
    applies_to: str  # target class or property path
    message: str
    severity: str


@functools.lru_cache(maxsize=4)
def shapes_graph(project: Project) -> Graph:
    return load_shapes(project)


@functools.lru_cache(maxsize=1)
def checks_graph() -> Graph:
    graph = Graph()
    graph.bind("check", CHECKS)
    document = URIRef(CHECKS.rstrip("#"))
    for lang, title in TITLES["checks"].items():
        graph.add((document, RDFS.label, Literal(title, lang=lang)))
    for name, requirement in CHECK_RULES.items():
        rule = URIRef(CHECKS + name)
        graph.add((rule, RDFS.label, Literal(name)))
        graph.add((rule, RDFS.comment, Literal(requirement, lang="en")))
        graph.add((rule, RDFS.isDefinedBy, document))
    return graph


def shape_rules(graph: Graph) -> list[Rule]:
    rules = []
    named = {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(SHAPES)}
    for shape in sorted(named):
        node = (shape, RDF.type, SH.NodeShape) in graph
        target = graph.value(shape, SH.targetClass)
        applies = compact(str(target)) if target is not None else ""
        if not node:
            applies = path_text(graph, graph.value(shape, SH.path)) or ""
        severity = graph.value(shape, SH.severity)
        rules.append(
            Rule(
                anchor=str(shape)[len(SHAPES) :],
                kind="NodeShape" if node else "PropertyShape",
                applies_to=applies,
                message=str(graph.value(shape, SH.message) or graph.value(shape, RDFS.label) or ""),
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            )
        )
    return rules


def check_rules() -> list[Rule]:
    return [
        Rule(anchor=name, kind="check", applies_to="", message=text, severity="Violation")
        for name, text in CHECK_RULES.items()
    ]


Handler = Callable[..., Awaitable[Response]]


def served_at(path: str, summary: str) -> Callable[[Handler], Handler]:
    """Register a document's handler at `path` and at `path` + an extension (``.ttl`` …)."""

    def register(handler: Handler) -> Handler:
        methods = ["GET", "HEAD"]
        route(router, path + "{ext}", methods=methods, include_in_schema=False)(handler)
        return route(router, path, methods=methods, summary=summary, response_class=Response)(
            handler
        )

    return register


@functools.lru_cache(maxsize=4)
def shapes_rules(project: Project) -> list[Rule]:
    return shape_rules(shapes_graph(project))


@functools.lru_cache(maxsize=32)
def serialised(graph: Graph, media: str) -> bytes:
    """A document's graph (the shapes, the checks: read once, never changed) as `media`,
    written once: the shapes took 40 ms to write in Turtle at each request."""
    return serialize_rdflib(graph, media)


@served_at("/shapes", "The SHACL shapes")
async def shapes(request: Request, ext: str = "") -> Response:
    project = services_of(request).project or Project.default()
    return document(
        request, "shapes", SHAPES, ext, shapes_graph(project), lambda: shapes_rules(project)
    )


@served_at("/checks", "The source-text checks")
async def checks(request: Request, ext: str = "") -> Response:
    return document(request, "checks", CHECKS, ext, checks_graph(), check_rules)


def document(
    request: Request,
    name: str,
    namespace: str,
    ext: str,
    graph: Graph,
    rules: Callable[[], list[Rule]],
) -> Response:
    """The rules of one namespace (``…/shapes#``, ``…/checks#``) as the document they belong
    to: served at /{name} as /ns serves the ontology."""
    path = f"/{name}"
    iri = namespace.rstrip("#")
    explicit = EXTENSIONS.get(ext) if ext else None
    if ext and explicit is None:
        return not_found(iri + ext, "text/html", language(request), path)
    media = choose_media(request, explicit)
    headers = {
        "Vary": "Accept, Accept-Language",
        "Link": link_header(path),
        **content_location(path, media),
    }
    if media != "text/html":
        return Response(serialised(graph, media), media_type=content_type(media), headers=headers)
    lang = language(request)
    html = render(
        "rules.html",
        lang,
        iri=iri,
        title=TITLES[name][lang],
        rules=rules(),
        alternates=alternates(path),
    )
    return HTMLResponse(html, headers=headers)
