"""Dereferenceable IRIs: every IRI the graph mints under the base resolves on the server.

``/id/…`` and ``/concept/…`` answer with the entity's description (aigraph.server.describe):
HTML for people, RDF for machines, chosen by ``Accept`` (``Vary: Accept``), or by an explicit
extension (``…/jean-michel-jarre.ttl``, ``.jsonld``, ``.nt``, ``.rdf``, ``.trig``, ``.nq``,
``.html``). The answer is direct (200, no 303): the IRIs are slash IRIs that name things,
the response says which document it is (``Content-Location``) and where the other formats are
(``Link: rel="alternate"``), as the W3C "Cool URIs" note allows (§4.2, "303 URIs forwarding to
one generic document" / content negotiation). ``/ns`` is the ontology document (its terms are
hash IRIs). An unknown IRI is a 404 in the negotiated format.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from fastapi import APIRouter
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from aigraph.metadata import dataset_iri
from aigraph.namespaces import PREFIXES, data_prefixes
from aigraph.serialize import Term, term_text
from aigraph.server.app import Services, services_of
from aigraph.server.conneg import AcceptHeaderError, negotiate
from aigraph.server.formats import OFFERS, content_type
from aigraph.server.protocol import ProtocolError
from aigraph.server.routing import route
from aigraph.server.sparql import client_of, execute
from aigraph.server.worker import Job

router = APIRouter(tags=["Linked Data"])
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
EXTENSIONS = {
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
    ".trig": "application/trig",
    ".nq": "application/n-quads",
    ".html": "text/html",
}
EXTENSION_OF = {media: ext for ext, media in EXTENSIONS.items()}
NAMES = {
    ".ttl": "Turtle",
    ".jsonld": "JSON-LD",
    ".nt": "N-Triples",
    ".rdf": "RDF/XML",
    ".trig": "TriG",
    ".nq": "N-Quads",
    ".html": "HTML",
}
# A path that may end an IRI: the characters RFC 3987 allows (percent-encodings included),
# none of those a SPARQL IRIREF excludes (see aigraph.server.describe.SAFE_IRI)
IRI_PATH = re.compile(r'^[^\x00-\x20<>"{}|^`\\/][^\x00-\x20<>"{}|^`\\]*$')
PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
URI_SAFE = "/:@!$&'()*+,;=-._~%"  # RFC 3986 pchar and "/", with "%" kept as it is
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL_PREDICATES = (
    "http://schema.org/name",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
)

UI = {
    "fr": {
        "nav": "Navigation",
        "ontology": "ontologie",
        "language": "langue",
        "facts": "Faits",
        "incoming": "Mentionné par",
        "raw": "Données brutes",
        "truncated": "Description coupée à {n} faits (les liens entrants d'abord) : "
        "les liens entrants par une requête SPARQL",
        "contents": "Contenu de ce graphe nommé",
        "context": "voir dans le communiqué",
        "editorial": "(ajout éditorial, absent du communiqué)",
        "source": "Le communiqué du CNC",
        "checksum": "SHA-256",
        "highlighted": "passage surligné :",
        "not_found": "Introuvable",
        "not_found_text": "Ce graphe ne dit rien de",
        "home": "Accueil",
        "licence": "Données : CC BY 4.0 ; texte du communiqué : © CNC.",
        "dataset": "Description du jeu de données (VoID)",
        "queries": "Requêtes",
        "downloads": "Téléchargements",
        "programme": "Programme",
        "editor": "Éditeur SPARQL",
        "network": "Réseau",
        "links": "Liens externes",
        "search": "Rechercher",
        "search_placeholder": "personne, organisation, thème…",
        "run": "Exécuter",
        "results": "Résultats",
        "rows": "lignes",
        "no_results": "Aucun résultat.",
        "examples": "Exemples du catalogue",
        "table": "Tableau",
        "graph": "Graphe",
        "chart": "Diagramme",
        "download": "Télécharger",
        "error": "Erreur",
        "passages": "Passages du communiqué",
        "supports": "Ce passage établit",
        "show_facts": "voir les faits",
        "skip": "Aller au contenu",
    },
    "en": {
        "nav": "Navigation",
        "ontology": "ontology",
        "language": "language",
        "facts": "Facts",
        "incoming": "Mentioned by",
        "raw": "Raw data",
        "truncated": "Description cut at {n} facts (incoming links first): "
        "the incoming links by a SPARQL query",
        "contents": "Contents of this named graph",
        "context": "see it in the release",
        "editorial": "(editorial addition, not in the release)",
        "source": "The CNC's press release",
        "checksum": "SHA-256",
        "highlighted": "highlighted passage:",
        "not_found": "Not found",
        "not_found_text": "This graph says nothing about",
        "home": "Home",
        "licence": "Data: CC BY 4.0; release text: © CNC.",
        "dataset": "Dataset description (VoID)",
        "queries": "Queries",
        "downloads": "Downloads",
        "programme": "Programme",
        "editor": "SPARQL editor",
        "network": "Network",
        "links": "External links",
        "search": "Search",
        "search_placeholder": "person, organisation, topic…",
        "run": "Run",
        "results": "Results",
        "rows": "rows",
        "no_results": "No results.",
        "examples": "Catalogue examples",
        "table": "Table",
        "graph": "Graph",
        "chart": "Chart",
        "download": "Download",
        "error": "Error",
        "passages": "Passages of the release",
        "supports": "This passage supports",
        "show_facts": "see the facts",
        "skip": "Skip to content",
    },
}
PREDICATE_LABELS = {  # standard terms; our own terms take their rdfs:label from the ontology
    "http://schema.org/name": ("nom", "name"),
    "http://schema.org/description": ("description", "description"),
    "http://schema.org/about": ("thème", "about"),
    "http://schema.org/superEvent": ("fait partie de", "part of"),
    "http://schema.org/subEvent": ("comprend", "includes"),
    "http://schema.org/startDate": ("date", "date"),
    "http://schema.org/organizer": ("organisateur", "organiser"),
    "http://schema.org/performer": ("intervenant·e", "speaker"),
    "http://schema.org/sameAs": ("identifiant externe", "external identifier"),
    "http://schema.org/url": ("site web", "website"),
    "http://schema.org/datePublished": ("date de publication", "date published"),
    "http://schema.org/publisher": ("éditeur", "publisher"),
    "http://schema.org/inLanguage": ("langue", "language"),
    "http://schema.org/author": ("auteur", "author"),
    "http://schema.org/genre": ("genre", "genre"),
    "http://www.w3.org/ns/org#member": ("membre", "member"),
    "http://www.w3.org/ns/org#organization": ("organisation", "organisation"),
    "http://www.w3.org/ns/org#role": ("titre", "title"),
    "http://www.w3.org/ns/org#unitOf": ("service de", "unit of"),
    "http://www.w3.org/ns/org#classification": ("secteur", "sector"),
    "http://www.w3.org/2004/02/skos/core#prefLabel": ("libellé", "label"),
    "http://www.w3.org/2004/02/skos/core#inScheme": ("schéma", "scheme"),
    "http://www.w3.org/2004/02/skos/core#definition": ("définition", "definition"),
    "http://www.w3.org/2004/02/skos/core#broader": ("plus général", "broader"),
    "http://www.w3.org/2004/02/skos/core#narrower": ("plus précis", "narrower"),
    "http://www.w3.org/2004/02/skos/core#topConceptOf": ("tête du schéma", "top concept of"),
    "http://www.w3.org/2004/02/skos/core#hasTopConcept": ("concepts de tête", "top concepts"),
    "http://www.w3.org/2000/01/rdf-schema#label": ("libellé", "label"),
}


def language(request: Request) -> str:
    """``?lang=fr|en`` first, then Accept-Language, then French (the release's language)."""
    asked = request.query_params.get("lang")
    if asked in UI:
        return asked
    best, weight = "fr", 0.0
    for item in request.headers.get("accept-language", "").split(","):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        code = tag.strip().lower()[:2]
        if code in UI and q > weight:
            best, weight = code, q
    return best


def to_iri(uri_path: str) -> str:
    """The IRI form of a URI path (RFC 3987 §3.2): percent-encoded UTF-8 that spells
    non-ASCII characters becomes those characters, and so do encoded unreserved characters
    (`%41` is `A`, RFC 3986 §6.2.2.2); an encoded reserved character (`%28` is not `(`,
    §2.2), space or control stays encoded."""

    def decode(run: re.Match[str]) -> str:
        try:
            text = bytes.fromhex(run.group(0).replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:
            return run.group(0)
        return "".join(
            ch if ord(ch) > 0x7F or ch in UNRESERVED else f"%{ord(ch):02X}" for ch in text
        )

    return PERCENT_RUN.sub(decode, uri_path)


def is_iri(text: str) -> bool:
    """Whether `text` is an IRI (RFC 3987) as Oxigraph parses one: `%zz`, `[`, private-use
    characters… are not, and name nothing here."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def request_path(request: Request, kind: str) -> str:
    """What follows `/{kind}/` in the request target as the client sent it, percent-encoded
    (the route's parameter is decoded: `a%2Fb` and `a/b`, `a%20b` and `a b` would be one)."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    text = quote(raw.decode("utf-8", "replace"), safe=URI_SAFE)  # raw UTF-8 bytes: encoded
    root = quote(request.scope.get("root_path", ""), safe=URI_SAFE)
    if root and text.startswith(root):
        text = text[len(root) :]
    return text.removeprefix(f"/{kind}/")


def split_extension(path: str) -> tuple[str, str | None]:
    for ext in EXTENSIONS:
        if path.endswith(ext):
            return path[: -len(ext)], EXTENSIONS[ext]
    return path, None


def local_href(iri: str, base: str) -> str | None:
    """The path on this server that serves `iri`, if it is one of ours."""
    if iri.startswith(base):
        rest = iri[len(base) :]
        if rest.startswith(("id/", "concept/")):
            return "/" + rest
        if rest.startswith("ns"):
            return "/ns" + (rest[2:] if rest[2:3] == "#" else "")
    return None


def alternates(path: str) -> list[dict[str, str]]:
    return [
        {"href": f"{path}{ext}", "media": media, "name": NAMES[ext]}
        for ext, media in EXTENSIONS.items()
    ]


def link_header(path: str) -> str:
    return ", ".join(
        f'<{path}{ext}>; rel="alternate"; type="{media}"' for ext, media in EXTENSIONS.items()
    )


def choose_media(request: Request, explicit: str | None) -> str:
    if explicit:
        return explicit
    offers = [
        *OFFERS["graph"],
        "text/html",
    ]  # */* (curl, scripts) gets Turtle; browsers ask for HTML
    try:
        media = negotiate(request.headers.get("accept"), offers)
    except AcceptHeaderError as exc:
        raise ProtocolError(400, f"malformed Accept header: {exc}") from None
    if media is None:
        raise ProtocolError(
            406, f"none of the acceptable media types is available; available: {', '.join(offers)}"
        )
    return media


# --- Building the HTML page from the description ------------------------------------------


@dataclass
class Value:
    text: str
    href: str | None = None
    external: str | None = None
    lang: str | None = None
    quotes: list[dict[str, object]] = field(default_factory=list)
    editorial: bool = False


class Page:
    """The entity's quads, read for a person."""

    def __init__(self, iri: str, quads: list[ox.Quad], base: str, lang: str) -> None:
        self.iri, self.base, self.lang = iri, base, lang
        self.labels: dict[str, list[ox.Literal]] = {}
        self.facts: list[ox.Quad] = []
        self.passages: dict[str, list[dict[str, object]]] = {}  # claim → quotes
        prov_triples: list[ox.Quad] = []
        for q in quads:
            graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else None
            if graph and graph.endswith("/id/graph/provenance"):
                prov_triples.append(q)
                continue
            if q.predicate.value in LABEL_PREDICATES and isinstance(q.object, ox.Literal):
                self.labels.setdefault(term_text(q.subject), []).append(q.object)
            # default-graph quads are the labels of every node mentioned (describe.LABELS),
            # and the triples of data loaded without a graph (`serve --data file.ttl`): the
            # rows keep the entity's own only
            self.facts.append(q)
        self._read_evidence(prov_triples)

    def _read_evidence(self, quads: list[ox.Quad]) -> None:
        by_subject: dict[str, dict[str, list[Term]]] = {}
        for q in quads:
            by_subject.setdefault(term_text(q.subject), {}).setdefault(
                q.predicate.value, []
            ).append(q.object)
        prov = "http://www.w3.org/ns/prov#wasDerivedFrom"
        oa = "http://www.w3.org/ns/oa#"
        for claim, props in by_subject.items():
            for span in props.get(prov, []):
                exact, start, end, source = None, None, None, None
                sp = by_subject.get(term_text(span), {})
                for src in sp.get(oa + "hasSource", []):
                    source = term_text(src)
                for selector in sp.get(oa + "hasSelector", []):
                    sel = by_subject.get(term_text(selector), {})
                    if oa + "exact" in sel:
                        exact = term_text(sel[oa + "exact"][0])
                    if oa + "start" in sel:
                        start, end = (
                            int(term_text(sel[oa + "start"][0])),
                            int(term_text(sel[oa + "end"][0])),
                        )
                if exact is None:
                    continue
                href = local_href(source or "", self.base) or "#"
                if start is not None:
                    href += f"?highlight={start}-{end}#passage"
                self.passages.setdefault(claim, []).append(
                    {"exact": exact, "start": start, "end": end, "href": href}
                )

    def label(self, iri: str) -> str:
        values = self.labels.get(iri, [])
        for wanted in (self.lang, "fr", "en", None):
            for v in values:
                if v.language == wanted or wanted is None:
                    return v.value
        from aigraph.validate import compact

        return compact(iri, self.base)

    def predicate_label(self, iri: str) -> str:
        if iri in self.labels:
            return self.label(iri)
        fr, en = PREDICATE_LABELS.get(iri, (None, None))
        if fr:
            return fr if self.lang == "fr" else en  # type: ignore[return-value]
        from aigraph.validate import compact

        return compact(iri, self.base)

    def value(self, term: Term) -> Value:
        if isinstance(term, ox.Triple):  # an RDF 1.2 triple term, as Turtle 1.2 writes it
            return Value(self.triple_text(term))
        if isinstance(term, ox.Literal):
            return Value(term.value, lang=term.language or None)
        if isinstance(term, ox.NamedNode):
            href = local_href(term.value, self.base)
            if href:
                return Value(self.label(term.value), href=href)
            return Value(
                self.label(term.value) if term.value in self.labels else term.value,
                external=term.value,
            )
        return Value(term.value)

    def triple_text(self, term: ox.Triple) -> str:
        from aigraph.validate import compact

        parts = []
        for part in (term.subject, term.predicate, term.object):
            if isinstance(part, ox.Triple):
                parts.append(self.triple_text(part))
            elif isinstance(part, ox.NamedNode):
                parts.append(compact(part.value, self.base))
            else:
                parts.append(str(part))  # a literal or blank node, in N-Triples form
        return "<<( " + " ".join(parts) + " )>>"

    def supporting(self, claim: str, term: Term) -> list[dict[str, object]]:
        """The passages of `claim` that support a fact whose value is `term`. A claim may
        rest on several sentences ("Perrine Vincent, cheffe du service … présente l'appel à
        projets …" then "Ce nouvel appel vise à …"): a text value is shown with the ones
        that hold its words (check:verbatim makes sure one does), other values with all."""
        quotes = self.passages.get(claim, [])
        if isinstance(term, ox.Literal):
            holding = [q for q in quotes if term.value in str(q["exact"])]
            return holding or quotes
        return quotes

    def rows(self, subject: str | None, obj: str | None = None) -> list[dict[str, object]]:
        """Facts grouped by predicate, each value with the quotes of the claims stating it."""
        grouped: dict[tuple[str, str], Value] = {}
        order: list[str] = []
        for q in self.facts:
            if q.predicate.value == RDF_TYPE and obj is None:
                continue
            if subject is not None and term_text(q.subject) != subject:
                continue
            if obj is not None and term_text(q.object) != obj:
                continue
            term = q.subject if obj is not None else q.object
            key = (q.predicate.value, str(term))
            if key not in grouped:
                grouped[key] = self.value(term)
                if q.predicate.value not in order:
                    order.append(q.predicate.value)
            graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            if "/id/claim/" in graph:
                for quote in self.supporting(graph, term):
                    if quote not in grouped[key].quotes:
                        grouped[key].quotes.append(quote)
            elif graph.endswith("/id/graph/editorial") and not grouped[key].quotes:
                grouped[key].editorial = True
        return [
            {
                "predicate": self.predicate_label(p),
                "cells": [v for (pp, _), v in grouped.items() if pp == p],
            }
            for p in order
        ]

    def types(self) -> list[str]:
        return sorted(
            {
                self.label(term_text(q.object))
                for q in self.facts
                if term_text(q.subject) == self.iri
                and q.predicate.value == RDF_TYPE
                and term_text(q.object).startswith(
                    ("https://w3id.org/aigraph/ns#", "http://schema.org/")
                )
            }
        )

    def around(self) -> list[dict[str, object]]:
        """Participations and stated affiliations linked to the entity, one section each."""
        kinds = {"https://w3id.org/aigraph/ns#Participation", "http://www.w3.org/ns/org#Membership"}
        nodes = sorted(
            {
                term_text(q.subject)
                for q in self.facts
                if q.predicate.value == RDF_TYPE
                and term_text(q.object) in kinds
                and term_text(q.subject) != self.iri
            }
        )
        return [
            {
                "title": self.label(n) if n in self.labels else self.predicate_title(n),
                "rows": self.rows(n),
            }
            for n in nodes
        ]

    def predicate_title(self, node: str) -> str:
        kind = "participation" if "/participation/" in node else "affiliation"
        return f"{kind.capitalize()} — {node.rsplit('/', 1)[-1].replace('--', ' · ')}"

    def jsonld(self) -> str:
        """schema.org JSON-LD for crawlers: the entity's type, names and identifiers."""
        schema_types = sorted(
            {
                term_text(q.object).rsplit("/", 1)[-1]
                for q in self.facts
                if term_text(q.subject) == self.iri
                and q.predicate.value == RDF_TYPE
                and term_text(q.object).startswith("http://schema.org/")
            }
        )
        doc: dict[str, object] = {"@context": "https://schema.org", "@id": self.iri}
        if schema_types:
            doc["@type"] = schema_types if len(schema_types) > 1 else schema_types[0]
        names = [
            v.value for v in self.labels.get(self.iri, []) if v.language in (None, "", self.lang)
        ]
        if names:
            doc["name"] = names[0]
        # schema.org's own terms for an item's identifiers elsewhere and its official website
        for key, predicate in (
            ("sameAs", "http://schema.org/sameAs"),
            ("url", "http://schema.org/url"),
        ):
            values = sorted(
                {
                    term_text(q.object)
                    for q in self.facts
                    if term_text(q.subject) == self.iri and q.predicate.value == predicate
                }
            )
            if values:
                doc[key] = values if len(values) > 1 else values[0]
        return script_json(doc)


def script_json(doc: object) -> str:
    """`doc` as JSON text to embed in a <script> element ("</" cannot end it early)."""
    return json.dumps(doc, ensure_ascii=False).replace("</", "<\\/")


def render(template: str, lang: str, **context: object) -> str:
    return TEMPLATES.get_template(template).render(lang=lang, t=UI[lang], **context)


def not_found(iri: str, media: str, lang: str, path: str) -> Response:
    headers = {"Vary": "Accept, Accept-Language"}
    if media == "text/html":
        return HTMLResponse(
            render("not_found.html", lang, iri=iri, alternates=[]), status_code=404, headers=headers
        )
    body = (
        f"# This dataset says nothing about <{iri}>.\n".encode()
        if media in ("text/turtle", "application/trig")
        else b""
    )
    if media == "application/ld+json":
        body = b"[]"
    return Response(body, status_code=404, media_type=content_type(media), headers=headers)


async def describe_response(
    request: Request, services: Services, iri: str, path: str, explicit: str | None
) -> Response:
    media = choose_media(request, explicit)
    lang = language(request)
    settings = services.settings
    prefixes = {**PREFIXES, **data_prefixes(settings.base_iri)}
    job_media = "application/n-quads" if media == "text/html" else media
    job = Job(
        "",
        describe=iri,
        media_types={"graph": job_media},
        prefixes=prefixes,
        provenance_graph=settings.base_iri + "id/graph/provenance",
        max_rows=settings.max_results,  # a concept used by 100,000 nodes: its links are cut
    )
    outcome = await execute(services, job, settings.query_timeout, client_of(request))
    if outcome.status != 200:
        raise ProtocolError(outcome.status, outcome.body.decode("utf-8", "replace"))
    if outcome.rows == 0:
        return not_found(iri, media, lang, path)
    headers = {
        "Vary": "Accept, Accept-Language",
        "Link": link_header(path),
        "Content-Location": f"{path}{EXTENSION_OF[media]}",
    }
    if outcome.truncated:  # as on /sparql: the facts kept (the triples sent may be more)
        headers["AIGraph-Results-Truncated"] = str(settings.max_results)
    if media != "text/html":
        return Response(outcome.body, media_type=content_type(media), headers=headers)
    # the page is built in a thread: thousands of facts take the event loop a second
    html = await asyncio.to_thread(
        entity_page, services, iri, path, lang, outcome.body, outcome.truncated
    )
    return HTMLResponse(html, headers=headers)


def entity_page(
    services: Services, iri: str, path: str, lang: str, nquads: bytes, truncated: bool
) -> str:
    settings = services.settings
    quads = list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    page = Page(iri, quads, settings.base_iri, lang)
    labels = page.labels.get(iri, [])
    title = page.label(iri)
    return render(
        "entity.html",
        lang,
        iri=iri,
        title=title,
        types=page.types(),
        # a label stated in several graphs (its claim, the merge) is one label
        other_labels=[
            {"text": text, "lang": language}
            for text, language in dict.fromkeys((v.value, v.language) for v in labels)
            if language and text != title
        ],
        alternates=alternates(path),
        contents=graph_contents(services, iri),
        outgoing=page.rows(iri),
        incoming=page.rows(None, iri),
        nodes=page.around(),
        jsonld=page.jsonld(),
        truncated=settings.max_results if truncated else None,
        rest_query="/query?" + urlencode({"query": f"SELECT ?s ?p WHERE {{ ?s ?p <{iri}> }}"}),
    )


def graph_contents(services: Services, iri: str) -> list[dict[str, str]]:
    """Links to the triples of the named graph `iri` names (a claim, graph:editorial …) through
    the Graph Store Protocol (`GET /store?graph=IRI`); none if it names no graph."""
    if services.data is None or not services.data.contains_graph(iri):
        return []
    return [
        {"name": name, "href": "/store?" + urlencode({"graph": iri, "format": fmt})}
        for name, fmt in (("TriG", "trig"), ("Turtle", "turtle"), ("N-Triples", "nt"))
    ]


@route(
    router,
    "/id/{path:path}",
    methods=["GET", "HEAD"],
    summary="Dereference an entity IRI",
    response_class=Response,
)
async def entity(request: Request, path: str) -> Response:
    return await resource(request, "id", path)


@route(
    router,
    "/concept/{path:path}",
    methods=["GET", "HEAD"],
    summary="Dereference a concept IRI",
    response_class=Response,
)
async def concept(request: Request, path: str) -> Response:
    return await resource(request, "concept", path)


async def resource(request: Request, kind: str, path: str) -> Response:
    # `path` (decoded) is not used: the IRI is made from the path as sent (request_path)
    services = services_of(request)
    stem, explicit = split_extension(request_path(request, kind))
    iri = f"{services.settings.base_iri}{kind}/{to_iri(stem)}"
    local = f"/{kind}/{stem}"  # ASCII: it goes into headers
    if not IRI_PATH.match(stem) or not is_iri(iri):
        return not_found(iri, choose_media(request, explicit), language(request), local)
    if iri == str(dataset_iri(services.settings.base_iri)):
        return await dataset_response(request, explicit, local)
    if (
        kind == "id"
        and stem.startswith("text/")
        and (explicit or _wants_html(request)) in ("text/html", True)
    ):
        return await source_text_page(request, services, iri, stem)
    if iri != f"{services.settings.base_iri}{kind}/{stem}":
        # the IRI form first (`…/héloïse` for `…/h%C3%A9lo%C3%AFse`), then the URI form, as
        # the data may use either
        found = await describe_response(request, services, iri, local, explicit)
        if found.status_code != 404:
            return found
        iri = f"{services.settings.base_iri}{kind}/{stem}"
    return await describe_response(request, services, iri, local, explicit)


async def dataset_response(request: Request, explicit: str | None, path: str) -> Response:
    """The dataset's own IRI: its DCAT/VoID description for machines (as at
    /.well-known/void), the home page for people (which embeds it as schema.org JSON-LD)."""
    from aigraph.server.dumps import description_response
    from aigraph.server.ui import home

    media = choose_media(request, explicit)
    if media == "text/html":
        page = await home(request)
        page.headers["Content-Location"] = "/"
        page.headers["Vary"] = "Accept, Accept-Language"
        return page
    return await description_response(
        request,
        media,
        {"Content-Location": f"{path}{EXTENSION_OF[media]}", "Link": link_header(path)},
    )


def _wants_html(request: Request) -> bool:
    try:
        return choose_media(request, None) == "text/html"
    except ProtocolError:
        return False


async def source_text_page(request: Request, services: Services, iri: str, stem: str) -> Response:
    """The release text with every passage the claims rest on marked: a click on one shows
    the facts it supports (``?passage=SLUG``); ``?highlight=START-END`` (code points) marks
    the passage an entity page links to."""
    from aigraph.project import Project
    from aigraph.server.ui import passages as passages_of
    from aigraph.server.ui import segments
    from aigraph.source import load_source_text

    project = services.project or Project.default()
    lang = language(request)
    if stem != f"text/{project.source_text.stem}":
        return not_found(iri, "text/html", lang, "/id/" + stem)
    source = load_source_text(project.source_text)
    text = source.text
    highlight = None
    match = re.fullmatch(r"(\d+)-(\d+)", request.query_params.get("highlight", ""))
    if match and 0 <= int(match[1]) < int(match[2]) <= len(text):
        highlight = (int(match[1]), int(match[2]))
    passages = await passages_of(request) if services.data is not None else []
    active = request.query_params.get("passage")
    chosen = next((p for p in passages if p.slug == active), None)
    path = "/id/" + stem
    html = render(
        "text.html",
        lang,
        iri=iri,
        sha256=source.sha256,
        highlight={"start": highlight[0], "end": highlight[1]} if highlight else None,
        pieces=segments(text, passages, highlight, chosen.slug if chosen else None),
        chosen=chosen,
        facts=chosen.facts[lang] if chosen else [],
        passage_count=len(passages),
        alternates=alternates(path),
    )
    return HTMLResponse(html, headers={"Vary": "Accept, Accept-Language"})


@router.get("/context/{name}", summary="A published JSON-LD context", response_class=Response)
async def jsonld_context(request: Request, name: str) -> Response:
    from aigraph.project import Project

    folder = (services_of(request).project or Project.default()).ontology_dir / "context"
    known = {p.name: p for p in folder.glob("*.jsonld")}
    if name not in known:  # only files that exist: no path is built from the request
        raise ProtocolError(404, f"no JSON-LD context named {name!r}")
    return Response(
        known[name].read_bytes(),
        media_type="application/ld+json",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@route(
    router, "/ns", methods=["GET", "HEAD"], summary="The aigraph ontology", response_class=Response
)
@route(
    router, "/ns{ext}", methods=["GET", "HEAD"], include_in_schema=False, response_class=Response
)
async def ontology(request: Request, ext: str = "") -> Response:
    services = services_of(request)
    explicit = EXTENSIONS.get(ext) if ext else None
    if ext and explicit is None:
        return not_found("https://w3id.org/aigraph/ns" + ext, "text/html", language(request), "/ns")
    media = choose_media(request, explicit)
    lang = language(request)
    job_media = "application/n-triples" if media == "text/html" else media
    if job_media in ("application/trig", "application/n-quads"):
        job_media = media
    job = Job(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/aigraph/ns> { ?s ?p ?o } }",
        form="CONSTRUCT",
        media_types={"graph": job_media},
        prefixes={**PREFIXES},
    )
    outcome = await execute(services, job, services.settings.query_timeout, client_of(request))
    if outcome.status != 200:
        raise ProtocolError(outcome.status, outcome.body.decode("utf-8", "replace"))
    headers = {
        "Vary": "Accept, Accept-Language",
        "Link": link_header("/ns"),
        "Content-Location": f"/ns{EXTENSION_OF[media]}",
    }
    if media != "text/html":
        return Response(outcome.body, media_type=content_type(media), headers=headers)
    triples = list(ox.parse(outcome.body, format=ox.RdfFormat.N_TRIPLES))
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("https://w3id.org/aigraph/ns"))
        for t in triples
    ]
    page = Page("https://w3id.org/aigraph/ns", quads, services.settings.base_iri, lang)
    terms = sorted(
        {
            t.subject.value
            for t in triples
            if t.subject.value.startswith("https://w3id.org/aigraph/ns#")
        }
    )
    nodes = [
        {"title": f"{page.label(term)} — aig:{term.rsplit('#', 1)[-1]}", "rows": page.rows(term)}
        for term in terms
    ]
    html = render(
        "entity.html",
        lang,
        iri="https://w3id.org/aigraph/ns",
        title=UI[lang]["ontology"].capitalize(),
        types=[],
        other_labels=[],
        alternates=alternates("/ns"),
        outgoing=page.rows("https://w3id.org/aigraph/ns"),
        incoming=[],
        nodes=nodes,
        jsonld=json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "DefinedTermSet",
                "@id": "https://w3id.org/aigraph/ns",
            }
        ),
    )
    return HTMLResponse(html, headers=headers)
