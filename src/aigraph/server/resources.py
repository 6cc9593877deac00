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
import itertools
import json
import re
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from aigraph.metadata import dataset_iri
from aigraph.namespaces import AIG, ORG, PREFIXES, known_prefixes
from aigraph.search import kind_plurals, search_words
from aigraph.serialize import JSONLD_COMPACTED, RDF_TYPE, triple_key
from aigraph.server.app import Services, services_of
from aigraph.server.entity_view import Page, label_quads, labels_of
from aigraph.server.formats import OFFERS, acceptable, choose, content_type
from aigraph.server.pages import UI, language, local_href, render
from aigraph.server.protocol import ProtocolError
from aigraph.server.routing import route
from aigraph.server.sparql import client_of, execute
from aigraph.server.worker import Job

router = APIRouter(tags=["Linked Data"])
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


def content_location(path: str, media: str) -> dict[str, str]:
    """The Content-Location of a representation (RFC 9110 §8.7): the URL that gives it with
    no negotiation, where there is one (compacted JSON-LD, asked for by its profile, has no
    extension of its own; the header is then left out)."""
    ext = EXTENSION_OF.get(media)
    return {"Content-Location": f"{path}{ext}"} if ext is not None else {}


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
    """The representation to give: an extension's (`explicit`), else `format=` (for plain
    links, as `/sparql` and `/store` take it: `html` or a graph format's name), else Accept.
    An unknown `format` is a 400, and one that names another format than the extension
    too: neither falls back in silence to what Accept would choose."""
    given = request.query_params.getlist("format")
    if len(given) > 1:  # as /sparql and /.well-known/void: which one was meant is not ours to guess
        raise ProtocolError(400, "give the 'format' parameter at most once")
    fmt = given[0] if given else None
    if fmt is not None:
        asked = "text/html" if fmt.strip().lower() == "html" else choose("graph", None, fmt)
        if explicit and asked != explicit:
            raise ProtocolError(
                400, f"the extension (a {explicit} answer) and format={fmt} ask for two formats"
            )
        return asked
    if explicit:
        return explicit
    offers = [
        *OFFERS["graph"],
        "text/html",
    ]  # */* (curl, scripts) gets Turtle; browsers ask for HTML
    return acceptable(request.headers.get("accept"), offers)


#: The folders of the graph's IRIs whose entities the interface lists (/search?kind=…):
#: the folder itself (`…/id/person/`) is no entity, and its page not found points there.
LISTED_FOLDERS = {
    "id/person/": "person",
    "id/organisation/": "organisation",
    "id/event/": "event",
    "id/session/": "session",
    "id/programme/": "programme",
    "concept/topic/": "topic",
}


def not_found(iri: str, media: str, lang: str, path: str) -> Response:
    headers = {"Vary": "Accept, Accept-Language"}
    if media == "text/html":
        folder = LISTED_FOLDERS.get(path.lstrip("/"))
        page = render(
            "not_found.html",
            lang,
            iri=iri,
            search="" if folder else search_words(iri),
            listed=folder,
            plural=kind_plurals(lang),
            alternates=[],
        )
        return HTMLResponse(page, status_code=404, headers=headers)
    body = (
        f"# This dataset says nothing about <{iri}>.\n".encode()
        if media in ("text/turtle", "application/trig")
        else b""
    )
    if media == "application/ld+json":
        body = b"[]"  # an empty expanded document; compacted, below: an empty node
    elif media == JSONLD_COMPACTED:
        body = b"{}"
    return Response(body, status_code=404, media_type=content_type(media), headers=headers)


async def describe_response(
    request: Request, services: Services, iri: str, path: str, explicit: str | None
) -> Response:
    media = choose_media(request, explicit)
    lang = language(request)
    settings = services.settings
    prefixes = known_prefixes(settings.base_iri)
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
        **content_location(path, media),
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
    is_graph = services.data is not None and services.data.contains_graph(iri)
    statements, more = graph_statements(services, iri) if is_graph else ([], False)
    if statements:  # a named graph: its passages and the labels of what it states come too
        # (the claim's own spans are in its description too: each quad once)
        quads = list(dict.fromkeys([*quads, *evidence_and_labels(services, iri, statements)]))
    page = Page(iri, quads, settings.base_iri, lang)
    page.composed = composed_names(services, [*quads, *statements])
    labels = page.labels.get(iri, [])
    title = page.label(iri)
    outgoing, incoming, nodes = page.rows(iri), page.rows(None, iri), page.around()
    page.shorten_repeats(outgoing, incoming, nodes)
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
        contents=graph_contents(iri) if is_graph else [],
        outgoing=outgoing,
        incoming=incoming,
        nodes=nodes,
        derived_href=local_href(settings.base_iri + "id/graph/derived", settings.base_iri),
        editorial_href=local_href(settings.base_iri + "id/graph/editorial", settings.base_iri),
        vocabularies_href=local_href(settings.base_iri + "id/graph/vocabularies", settings.base_iri)
        if page.from_vocabularies()
        else None,
        citation=entity_cited(services, title, iri, lang),
        words=page.passages.get(iri, []),
        statements=page.statements(statements),
        more_statements=more,
        jsonld=page.jsonld(),
        truncated=settings.max_results if truncated else None,
        rest_query="/query?" + urlencode({"query": f"SELECT ?s ?p WHERE {{ ?s ?p <{iri}> }}"}),
    )


def entity_cited(services: Services, name: str, iri: str, lang: str) -> str | None:
    """How to cite the entity's record in the bundled dataset (other data is not the
    dataset this cites)."""
    if not services.settings.bundled:
        return None
    from aigraph.citation import entity_citation
    from aigraph.project import Project
    from aigraph.server.site import cited_dataset

    project = services.project or Project.default()
    return entity_citation(cited_dataset(project, services.settings.base_iri, lang), name, iri)


#: Statements of a named graph listed on its page; the rest is in its raw data.
GRAPH_PAGE_STATEMENTS = 200
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
OA_SELECTOR = ox.NamedNode("http://www.w3.org/ns/oa#hasSelector")


def graph_statements(services: Services, iri: str) -> tuple[list[ox.Quad], bool]:
    """The first statements of the named graph `iri` (a claim holds a few; graph:derived at
    10^6 triples, millions: an index scan cut at GRAPH_PAGE_STATEMENTS), and whether there
    are more."""
    assert services.data is not None
    found = services.data.authoritative.quads_for_pattern(None, None, None, ox.NamedNode(iri))
    quads = list(itertools.islice(found, GRAPH_PAGE_STATEMENTS + 1))
    return quads[:GRAPH_PAGE_STATEMENTS], len(quads) > GRAPH_PAGE_STATEMENTS


def evidence_and_labels(services: Services, iri: str, statements: list[ox.Quad]) -> list[ox.Quad]:
    """What a named graph's page shows besides its statements: the passages of the release
    it rests on (its spans and their selectors, from graph:provenance) and the labels of the
    terms it uses (from the merged triples, in the default graph as the description has
    them)."""
    assert services.data is not None
    store, merged = services.data.authoritative, services.data.merged
    provenance = ox.NamedNode(services.settings.base_iri + "id/graph/provenance")
    claim = ox.NamedNode(iri)
    extra = list(store.quads_for_pattern(claim, PROV_DERIVED, None, provenance))
    # served files (`serve --data`) may put a literal where a span or selector is expected:
    # only nodes are looked up
    for span in [q.object for q in extra]:
        if not isinstance(span, ox.NamedNode | ox.BlankNode):
            continue
        for q in store.quads_for_pattern(span, None, None, provenance):
            extra.append(q)
            if q.predicate == OA_SELECTOR and isinstance(q.object, ox.NamedNode | ox.BlankNode):
                extra += store.quads_for_pattern(q.object, None, None, provenance)
    terms = {t for q in statements for t in (q.subject, q.predicate, q.object)}
    for term in terms:
        if isinstance(term, ox.NamedNode):
            extra += label_quads(merged, term)
    return extra


#: Nodes with no label of their own, named on pages from the labels of the nodes around
#: them: (their class, the path to each part of the name, how the parts are joined).
COMPOSED = (
    # "Perrine Vincent, moderator — Round table: research-creation and artistic experimentation"
    (
        AIG.Participation,
        ((AIG.agent, False), (AIG.role, False), (AIG.participation, True)),
        "{}, {} — {}",
    ),
    # "Perrine Vincent — service de l'accompagnement des professionnels"
    (ORG.Membership, ((ORG.member, False), (ORG.organization, False)), "{} — {}"),
)


COMPOSED_AT_MOST = 1_000


def composed_names(services: Services, quads: list[ox.Quad]) -> dict[str, dict[str, str]]:
    """Page names, in French and English, for the participations and stated affiliations the
    quads mention, made from the labels of their person, role, session or organisation (read
    from the merged triples). A name is shown only: nothing is added to the data."""
    if services.data is None:
        return {}
    merged = services.data.merged
    rdf_type = ox.NamedNode(RDF_TYPE)
    nodes = {t for q in quads for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
    names: dict[str, dict[str, str]] = {}
    # a role at 10^6 triples is the object of thousands of participations: about a dozen
    # lookups each, so the first COMPOSED_AT_MOST are named and the others keep their IRI
    for node in sorted(nodes, key=lambda n: n.value)[:COMPOSED_AT_MOST]:
        for cls, paths, form in COMPOSED:
            if ox.Quad(node, rdf_type, ox.NamedNode(cls)) not in merged:
                continue
            parts = []
            for predicate, inverse in paths:
                pattern = (
                    (None, ox.NamedNode(predicate), node)
                    if inverse
                    else (node, ox.NamedNode(predicate), None)
                )
                found = next(merged.quads_for_pattern(*pattern), None)
                other = None if found is None else (found.subject if inverse else found.object)
                if not isinstance(other, ox.NamedNode):
                    break
                parts.append(labels_of(merged, other))
            else:
                names[node.value] = {
                    lang: form.format(
                        *(
                            part.get(lang) or part.get("fr") or part.get("en") or part.get("", "")
                            for part in parts
                        )
                    )
                    for lang in ("fr", "en")
                }
    return names


def graph_contents(iri: str) -> list[dict[str, str]]:
    """Links to the triples of the named graph `iri` names (a claim, graph:editorial …) through
    the Graph Store Protocol (`GET /store?graph=IRI`)."""
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
        {**content_location(path, media), "Link": link_header(path)},
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
    from aigraph.server.site import passages as passages_of
    from aigraph.server.site import segments
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
    if not await services.executor.graph_exists("https://w3id.org/aigraph/ns"):
        # served data without the ontology (`--no-bundled`): a 404, not an empty document
        return not_found("https://w3id.org/aigraph/ns", media, lang, "/ns")
    job_media = "application/n-triples" if media == "text/html" else media
    if job_media in ("application/trig", "application/n-quads"):
        job_media = media
    job = Job(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/aigraph/ns> { ?s ?p ?o } }",
        form="CONSTRUCT",
        media_types={"graph": job_media},
        prefixes={**PREFIXES},
        first_subject="https://w3id.org/aigraph/ns",  # the document's own description
    )
    outcome = await execute(services, job, services.settings.query_timeout, client_of(request))
    if outcome.status != 200:
        raise ProtocolError(outcome.status, outcome.body.decode("utf-8", "replace"))
    headers = {
        "Vary": "Accept, Accept-Language",
        "Link": link_header("/ns"),
        **content_location("/ns", media),
    }
    if media != "text/html":
        return Response(outcome.body, media_type=content_type(media), headers=headers)
    # N-Triples come in the store's order, which differs from term to term: each term's
    # rows are read in one order (rdf:type, then predicates by IRI, as entity pages)
    triples = sorted(ox.parse(outcome.body, format=ox.RdfFormat.N_TRIPLES), key=triple_key)
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
