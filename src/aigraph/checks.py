"""Checks that SHACL cannot express: the evidence against the source text itself.

SHACL sees triples, not the text they were read from, so these rules live here and report
like shapes do: each has an IRI under ``…/checks#`` (served at ``/checks``) and a message in
plain words. ``CHECK_RULES`` says what each requires.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from aigraph.namespaces import (
    AIG,
    CANONICAL_BASE,
    LINK_PREDICATES,
    OA,
    ONTOLOGY_IRI,
    ORG,
    PROV,
    SCHEMA,
    SKOS,
    graph_iri,
)
from aigraph.source import SourceText

CHECKS = CANONICAL_BASE + "checks#"
#: The rules of this module, by the local name of their IRI, and what each requires (shown
#: at /checks, where the IRIs a validation report names resolve).
CHECK_RULES: dict[str, str] = {
    "position-matches-quote": "A passage's TextPositionSelector points at exactly its quote: "
    "text[start:end] is the TextQuoteSelector's exact words (offsets in code points).",
    "quote-found": "A passage's quote, with its prefix and suffix, occurs once in the source "
    "text (Web Annotation Data Model §4.2.4: a TextQuoteSelector identifies one segment).",
    "verbatim": "Names, French labels, descriptions and aims stated in a claim appear word for "
    "word in the passages the claim rests on.",
    "claim-has-provenance": "Every named graph that is not a fixed graph is a declared claim "
    "(graph:provenance says `a aig:Claim` and the passages it rests on).",
    "graph-is-described": "Every fixed graph but the ontology is described in graph:provenance "
    "as an aig:DatasetGraph: what it holds and who made it (data/graphs.trig).",
    "entity-has-claim": "Every entity minted under id/ is described by at least one claim: an "
    "entity known only from the editors' graph would be a fact without a source.",
    "editorial-kinds": "The editors' graph holds only translations, coined labels, "
    "classifications and document metadata, and no French label but coined titles "
    "(data/editorial.trig, header).",
    "no-default-graph": "Every triple of the data is in a named graph (a claim or a fixed graph).",
    "link-has-evidence": "Every link to external data (schema:sameAs, skos:exactMatch, "
    "skos:closeMatch, schema:url, aig:siren on an aigraph entity) is stated in graph:links and "
    "described there by an aig:Link with its evidence; graph:links holds nothing else.",
    "identifier-checksum": "ISNI, ORCID, ROR, IdRef and SIREN identifiers have the right check "
    "character (aigraph.linking.identifiers).",
}
CHECK_NAMES = tuple(CHECK_RULES)


@dataclass(frozen=True)
class CheckFinding:
    """One failed check: which rule, on which node, what is wrong."""

    rule: str
    focus: Node  # usually an IRI; invalid data may put a blank node or literal there
    message: str
    path: URIRef | None = None
    value: str | None = None
    severity: str = "Violation"


@dataclass(frozen=True)
class Selection:
    """One passage as its selectors locate it."""

    span: Node
    exact: str
    prefix: str
    suffix: str
    start: int | None
    end: int | None
    position_selector: Node | None
    quote_selector: Node


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def selections(ds: Dataset) -> Iterator[Selection]:
    """Every passage (oa:SpecificResource) with its quote and position selectors."""
    prov = ds.graph(graph_iri("provenance"))
    for span in sorted(set(prov.subjects(RDF.type, OA.SpecificResource)), key=str):
        quote = position = None
        for selector in prov.objects(span, OA.hasSelector):
            if (selector, RDF.type, OA.TextQuoteSelector) in prov:
                quote = selector
            elif (selector, RDF.type, OA.TextPositionSelector) in prov:
                position = selector
        if quote is None:
            continue  # reported by shape:Span-quoteSelector
        yield Selection(
            span=span,
            exact=str(prov.value(quote, OA.exact) or ""),
            prefix=str(prov.value(quote, OA.prefix) or ""),
            suffix=str(prov.value(quote, OA.suffix) or ""),
            start=_int(prov.value(position, OA.start)) if position else None,
            end=_int(prov.value(position, OA.end)) if position else None,
            position_selector=position,
            quote_selector=quote,
        )


def find_quote(text: str, exact: str, prefix: str = "", suffix: str = "") -> list[int]:
    """Start offsets (code points) where `exact` occurs with `prefix` before and `suffix` after."""
    if not exact:
        return []
    hits = []
    start = text.find(exact)
    while start != -1:
        if text[:start].endswith(prefix) and text.startswith(suffix, start + len(exact)):
            hits.append(start)
        start = text.find(exact, start + 1)
    return hits


def check_selectors(ds: Dataset, source: SourceText) -> Iterator[CheckFinding]:
    text = source.text
    for sel in selections(ds):
        hits = find_quote(text, sel.exact, sel.prefix, sel.suffix)
        if not hits:
            yield CheckFinding(
                CHECKS + "quote-found",
                sel.quote_selector,
                "The quote does not occur in the source text (with its prefix and suffix).",
                OA.exact,
                sel.exact,
            )
        elif len(hits) > 1:
            yield CheckFinding(
                CHECKS + "quote-found",
                sel.quote_selector,
                f"The quote occurs {len(hits)} times in the source text (at {hits}); "
                "add an oa:prefix or oa:suffix so that it identifies one passage.",
                OA.exact,
                sel.exact,
            )
        if sel.start is None or sel.end is None or sel.position_selector is None:
            continue  # missing offsets are reported by the position-selector shapes
        actual = text[sel.start : sel.end]
        if actual != sel.exact:
            yield CheckFinding(
                CHECKS + "position-matches-quote",
                sel.position_selector,
                f"text[{sel.start}:{sel.end}] reads {actual!r}, not the quoted {sel.exact!r}.",
                OA.start,
                f"{sel.start}..{sel.end}",
            )
        elif hits and sel.start not in hits:
            yield CheckFinding(
                CHECKS + "position-matches-quote",
                sel.position_selector,
                f"The offsets {sel.start}..{sel.end} point to another occurrence of the quote "
                f"than its prefix and suffix select (at {hits}).",
                OA.start,
                f"{sel.start}..{sel.end}",
            )


def claim_graphs(ds: Dataset, base: str = CANONICAL_BASE) -> list[URIRef]:
    """The names of the claim graphs: every named graph under ``id/claim/``."""
    prefix = base + "id/claim/"
    return sorted(
        g.identifier
        for g in ds.graphs()
        if isinstance(g.identifier, URIRef) and g.identifier.startswith(prefix) and len(g)
    )


def check_claims(ds: Dataset) -> Iterator[CheckFinding]:
    from aigraph.dataset import fixed_graphs  # dataset imports nothing from here

    prov = ds.graph(graph_iri("provenance"))
    fixed = fixed_graphs()
    for g in ds.graphs():
        name = g.identifier
        if not len(g) or name == DATASET_DEFAULT_GRAPH_ID:
            continue
        if name not in fixed and (name, RDF.type, AIG.Claim) not in prov:
            yield CheckFinding(
                CHECKS + "claim-has-provenance",
                name,
                "This named graph is neither a fixed graph nor a declared claim "
                "(graph:provenance has no `a aig:Claim` for it): its triples have no source.",
            )
        # the ontology describes itself (owl:Ontology); the other fixed graphs are described
        # in data/graphs.trig, so that their names resolve and say what they hold
        described = (name, RDF.type, AIG.DatasetGraph) in prov
        if name in fixed and name != ONTOLOGY_IRI and not described:
            yield CheckFinding(
                CHECKS + "graph-is-described",
                name,
                "This fixed graph is not described: graph:provenance has no "
                "`a aig:DatasetGraph` for it, with what it holds and who made it "
                "(data/graphs.trig describes them: give it too when validating chosen files).",
            )
    default = ds.graph(DATASET_DEFAULT_GRAPH_ID)
    if len(default):
        s, p, o = next(iter(default))
        yield CheckFinding(
            CHECKS + "no-default-graph",
            URIRef(str(s)),
            f"{len(default)} triple(s) are in the default graph; every triple of "
            "the data belongs in a claim or fixed named graph.",
            URIRef(str(p)),
            str(o),
        )


#: The kinds of entity minted under id/ that must be described by at least one claim.
ENTITY_KINDS = (
    "event",
    "session",
    "person",
    "organisation",
    "participation",
    "membership",
    "job-title",
    "occupation",
    "programme",
    "release",
)


def check_entities(ds: Dataset, base: str = CANONICAL_BASE) -> Iterator[CheckFinding]:
    claims = claim_graphs(ds, base)
    described: set[URIRef] = set()
    for name in claims:
        described.update(s for s in ds.graph(name).subjects() if isinstance(s, URIRef))
    prefixes = tuple(f"{base}id/{kind}/" for kind in ENTITY_KINDS)
    mentioned: set[URIRef] = set()
    for s, _p, o, _g in ds.quads((None, None, None, None)):
        for term in (s, o):
            # str(): rdflib's URIRef.startswith does not accept a tuple of prefixes.
            if isinstance(term, URIRef) and str(term).startswith(prefixes):
                mentioned.add(term)
    for entity in sorted(mentioned - described):
        yield CheckFinding(
            CHECKS + "entity-has-claim",
            entity,
            "No claim graph describes this entity: nothing about it can be traced to the release.",
        )


#: (predicate, must the literal be French?) whose values a claim must quote word for word.
VERBATIM = (
    (SCHEMA.name, False),
    (SKOS.prefLabel, True),
    (SCHEMA.description, True),
    (AIG.statedAim, True),
    (AIG.statedActivity, True),
    (SCHEMA.genre, False),
)


def check_verbatim(ds: Dataset, source: SourceText) -> Iterator[CheckFinding]:
    prov = ds.graph(graph_iri("provenance"))
    located = {sel.span: sel for sel in selections(ds)}
    for name in claim_graphs(ds):
        ranges = [
            located[span] for span in prov.objects(name, PROV.wasDerivedFrom) if span in located
        ]
        bounds = [(s.start, s.end) for s in ranges if s.start is not None and s.end is not None]
        if not bounds:
            continue  # a claim without located passages is reported by the shapes
        passage = source.text[min(b[0] for b in bounds) : max(b[1] for b in bounds)]
        graph = ds.graph(name)
        for predicate, french in VERBATIM:
            for subject, value in graph.subject_objects(predicate):
                if not isinstance(value, Literal):
                    continue
                if french and value.language != "fr":
                    continue
                if str(value) not in passage:
                    yield CheckFinding(
                        CHECKS + "verbatim",
                        subject,
                        f"{value!r} is not word for word in the passage(s) the claim "
                        f"<{name}> rests on.",
                        predicate,
                        str(value),
                    )


#: What the editors may state (data/editorial.trig, header), and in which language.
EDITORIAL_PREDICATES: dict[Node, str | None] = {
    RDFS.label: None,  # coined labels, fr or en
    SKOS.prefLabel: "en",  # translations only: French labels are the release's words
    SCHEMA.name: "en",
    ORG.classification: None,
    SCHEMA.inLanguage: None,
    SCHEMA.publisher: None,
}


def check_editorial(ds: Dataset) -> Iterator[CheckFinding]:
    editorial = ds.graph(graph_iri("editorial"))
    for s, p, o in sorted(editorial):
        if p not in EDITORIAL_PREDICATES:
            yield CheckFinding(
                CHECKS + "editorial-kinds",
                URIRef(str(s)),
                f"The editors' graph may not state {p}: only translations, coined labels, "
                "classifications and document metadata belong there; facts need a claim.",
                URIRef(str(p)),
                str(o),
            )
            continue
        lang = EDITORIAL_PREDICATES[p]
        if lang and isinstance(o, Literal) and o.language != lang:
            yield CheckFinding(
                CHECKS + "editorial-kinds",
                URIRef(str(s)),
                f"The editors' graph may give {p} only in @{lang} (a translation); "
                "a French label is the release's own words and needs a claim.",
                URIRef(str(p)),
                str(o),
            )


LINK_DESCRIPTION = {
    RDF.type,
    RDF.subject,
    RDF.predicate,
    RDF.object,
    PROV.wasDerivedFrom,
    PROV.generatedAtTime,
    AIG.linkMethod,
    AIG.confidence,
    RDFS.comment,  # what the cited page shows, in words
}


def check_links(ds: Dataset, base: str = CANONICAL_BASE) -> Iterator[CheckFinding]:
    from aigraph.linking.identifiers import identifier_problem

    links_name = graph_iri("links")
    links = ds.graph(links_name)
    described = {
        (links.value(n, RDF.subject), links.value(n, RDF.predicate), links.value(n, RDF.object))
        for n in links.subjects(RDF.type, AIG.Link)
    }
    minted = (base + "id/", base + "concept/")
    for s, p, o, g in sorted(ds.quads((None, None, None, None))):
        if p not in LINK_PREDICATES or not str(s).startswith(minted):
            continue
        if g != links_name:
            yield CheckFinding(
                CHECKS + "link-has-evidence",
                URIRef(str(s)),
                f"A link to external data is stated outside graph:links (in {g}): links live "
                "in their own graph, each with its evidence, never mixed with the release's "
                "statements.",
                URIRef(str(p)),
                str(o),
            )
        elif (s, p, o) not in described:
            yield CheckFinding(
                CHECKS + "link-has-evidence",
                URIRef(str(s)),
                "This link has no evidence: graph:links must describe it with an aig:Link "
                "(rdf:subject/rdf:predicate/rdf:object) citing where the identifier was found.",
                URIRef(str(p)),
                str(o),
            )
    for s, p, o in sorted(links):
        is_link = p in LINK_PREDICATES and str(s).startswith(minted)
        if not is_link and p not in LINK_DESCRIPTION:
            yield CheckFinding(
                CHECKS + "link-has-evidence",
                URIRef(str(s)),
                f"graph:links may hold only links and their evidence, not {p}.",
                URIRef(str(p)),
                str(o),
            )
    for node in sorted(links.subjects(RDF.type, AIG.Link), key=str):
        target = links.value(node, RDF.object)
        if target is None:
            continue
        problem = identifier_problem(str(target), literal=isinstance(target, Literal))
        if problem is not None and "check character" in problem:
            yield CheckFinding(
                CHECKS + "identifier-checksum",
                URIRef(str(node)),
                f"{problem}: a mistyped identifier would link to another record or none.",
                RDF.object,
                str(target),
            )


def run_checks(ds: Dataset, source: SourceText) -> list[CheckFinding]:
    """All checks over a dataset in the canonical base."""
    return [
        *check_selectors(ds, source),
        *check_claims(ds),
        *check_entities(ds),
        *check_verbatim(ds, source),
        *check_editorial(ds),
        *check_links(ds),
    ]


__all__ = ["CHECKS", "CHECK_NAMES", "CheckFinding", "find_quote", "run_checks", "selections"]
