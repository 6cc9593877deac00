"""An entity's description read for a person: its facts grouped by predicate, each value
with the passages of the release that support it, its labels in the page's language, the
participations and affiliations around it, and schema.org JSON-LD for crawlers. The routes
(aigraph.server.resources) fetch the quads; this module only reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast
from urllib.parse import urlsplit

import pyoxigraph as ox

from aigraph.linking.identifiers import identifier_text
from aigraph.serialize import RDF_TYPE, Term, term_text
from aigraph.server.pages import local_href, script_json

AIG = "https://w3id.org/aigraph/ns#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PROV = "http://www.w3.org/ns/prov#"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"

LABEL_PREDICATES = (
    "http://schema.org/name",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
)


def label_quads(store: ox.Store, node: ox.NamedNode) -> list[ox.Quad]:
    """A node's labels in the store's default graph, the first label predicate first."""
    return [
        q
        for predicate in LABEL_PREDICATES
        for q in store.quads_for_pattern(node, ox.NamedNode(predicate), None)
        if isinstance(q.object, ox.Literal)
    ]


def labels_of(store: ox.Store, node: ox.NamedNode) -> dict[str, str]:
    """A node's labels by language tag ("" for none), the first label predicate first."""
    labels: dict[str, str] = {}
    for q in label_quads(store, node):
        labels.setdefault(q.object.language or "", q.object.value)  # type: ignore[union-attr]
    return labels


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
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": ("type", "type"),
    "http://www.w3.org/2000/01/rdf-schema#comment": ("commentaire", "comment"),
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": ("sous-classe de", "subclass of"),
    "http://www.w3.org/2000/01/rdf-schema#subPropertyOf": ("sous-propriété de", "subproperty of"),
    "http://www.w3.org/2000/01/rdf-schema#domain": ("domaine", "domain"),
    "http://www.w3.org/2000/01/rdf-schema#range": ("portée", "range"),
    "http://www.w3.org/2000/01/rdf-schema#isDefinedBy": ("défini par", "defined by"),
    "http://www.w3.org/2002/07/owl#versionInfo": ("version", "version"),
    "http://purl.org/dc/terms/title": ("titre", "title"),
    "http://purl.org/dc/terms/description": ("description", "description"),
    "http://purl.org/dc/terms/license": ("licence", "licence"),
}

#: Links into a participation or stated affiliation that its section on a page shows, read
#: from the node: the session states its participations (`?session aig:participation ?it`),
#: and on a person's page "session: …" is what a participation's section must say.
INVERSE_LABELS = {AIG + "participation": ("session", "session")}


#: A passage longer than this (code points) is quoted whole once a page, then shortened.
REPEAT_SHORTENED_FROM = 100


def shortened(exact: str, head: int = 6, tail: int = 4) -> str:
    """The first and last words of a passage, with an ellipsis for what is left out."""
    words = exact.split()
    if len(words) <= head + tail + 2:
        return exact
    return " ".join(words[:head]) + " … " + " ".join(words[-tail:])


@dataclass
class Value:
    text: str
    href: str | None = None
    external: str | None = None
    lang: str | None = None
    quotes: list[dict[str, object]] = field(default_factory=list)
    editorial: bool = False
    #: a shortcut the build derived from the claims by a rule (graph:derived), in no claim
    derived: bool = False
    #: a link to external data: where its identifier was found (graph:links' evidence)
    link: dict[str, object] | None = None
    #: the id of the page's section on this value (a participation, an affiliation), where
    #: its passages are quoted
    section: str | None = None


def _source_name(url: str) -> str:
    """A link's source, short: its host, and on GitHub the repository it is in."""
    parts = urlsplit(url)
    host = parts.hostname or url
    if host == "github.com":
        return host + "/".join(parts.path.split("/")[:3])
    return host


class Page:
    """The entity's quads, read for a person."""

    def __init__(self, iri: str, quads: list[ox.Quad], base: str, lang: str) -> None:
        self.iri, self.base, self.lang = iri, base, lang
        self.labels: dict[str, list[ox.Literal]] = {}
        self.facts: list[ox.Quad] = []
        self.passages: dict[str, list[dict[str, object]]] = {}  # claim → quotes
        # names made for the page from other labels (a participation: its person, role and
        # session); shown, never stated, so kept apart from `labels` (the JSON-LD's name)
        self.composed: dict[str, dict[str, str]] = {}  # iri → lang → name
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
        self.links = self._read_links()
        self.link_nodes = {str(link["node"]) for link in self.links.values()}
        self.around_nodes = self._around_nodes()
        self._around = set(self.around_nodes)

    def _read_links(self) -> dict[tuple[str, str, str], dict[str, object]]:
        """(subject, predicate, object) → the evidence of the aig:Link that reifies it."""
        values: dict[str, dict[str, list[str]]] = {}
        for q in self.facts:
            graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            if graph.endswith("/id/graph/links") and isinstance(q.subject, ox.NamedNode):
                of = values.setdefault(q.subject.value, {}).setdefault(q.predicate.value, [])
                of.append(term_text(q.object))
        found: dict[tuple[str, str, str], dict[str, object]] = {}
        for node, many in values.items():
            # the first of each (by value: the page reads the same whatever the quads' order)
            props = {p: min(v) for p, v in many.items()}
            if AIG + "Link" not in many.get(RDF_TYPE, []) or RDF + "subject" not in props:
                continue
            source = props.get(PROV + "wasDerivedFrom", "")
            found[
                (
                    props[RDF + "subject"],
                    props.get(RDF + "predicate", ""),
                    props.get(RDF + "object", ""),
                )
            ] = {
                "node": node,
                "source": source,
                "host": _source_name(source),
                "confidence": props.get(AIG + "confidence"),
                "note": props.get(RDFS_COMMENT, ""),
            }
        return found

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
        for quotes in self.passages.values():  # in the release's order, as it is read
            quotes.sort(key=lambda p: (p["start"] is None, p["start"] or 0, p["end"] or 0))

    def label(self, iri: str) -> str:
        values = self.labels.get(iri, [])
        for wanted in (self.lang, "fr", "en", None):
            for v in values:
                if v.language == wanted or wanted is None:
                    return v.value
        if iri in self.composed:
            return self.composed[iri][self.lang]
        from aigraph.validate import compact

        return compact(iri, self.base)

    def inverse_label(self, names: tuple[str, str]) -> str:
        return names[0] if self.lang == "fr" else names[1]

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
            if term.value in self.labels:
                return Value(self.label(term.value), external=term.value)
            # an authority's identifier reads as the authority names it: "Wikidata Q1054221";
            # a vocabulary's term as a prefixed name (prov:Entity); anything else whole
            text = identifier_text(term.value)
            if text == term.value:
                from aigraph.validate import compact

                short = compact(term.value, self.base)
                text = term.value if short.startswith("<") else short
            return Value(text, external=term.value)
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

    def rows(
        self,
        subject: str | None,
        obj: str | None = None,
        inverse: dict[str, tuple[str, str]] | None = None,
    ) -> list[dict[str, object]]:
        """Facts grouped by predicate, each value with the quotes of the claims stating it.
        `inverse`: the links into `obj` to keep (none from the page's entity, which is the
        page), each named as read from `obj` (INVERSE_LABELS)."""
        grouped: dict[tuple[str, str], Value] = {}
        order: list[str] = []
        for q in self.facts:
            if q.predicate.value == RDF_TYPE and obj is None:
                continue
            if subject is not None and term_text(q.subject) != subject:
                continue
            if obj is not None and term_text(q.object) != obj:
                continue
            if inverse is not None and (
                q.predicate.value not in inverse or term_text(q.subject) == self.iri
            ):
                continue
            if obj is not None and term_text(q.subject) in self.link_nodes:
                continue  # a link's evidence: shown with the identifier, not as a mention
            term = q.subject if obj is not None else q.object
            key = (q.predicate.value, str(term))
            if key not in grouped:
                grouped[key] = self.value(term)
                if q.predicate.value not in order:
                    order.append(q.predicate.value)
                if inverse is None and self.iri in (subject, obj):
                    grouped[key].section = self.section_id(term_text(term))
            if grouped[key].section is not None:
                continue  # its passages are quoted in its section, below
            graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            if graph.endswith("/id/graph/links") and obj is None:
                link = (term_text(q.subject), q.predicate.value, term_text(q.object))
                grouped[key].link = self.links.get(link)
            if "/id/claim/" in graph:
                for quote in self.supporting(graph, term):
                    if quote not in grouped[key].quotes:
                        grouped[key].quotes.append(quote)
            elif graph.endswith("/id/graph/editorial") and not grouped[key].quotes:
                grouped[key].editorial = True
            elif graph.endswith("/id/graph/derived") and not grouped[key].quotes:
                grouped[key].derived = True
        for value in grouped.values():  # stated in a claim after all: not only added or derived
            value.derived = value.derived and not value.quotes
            value.editorial = value.editorial and not value.quotes
        return [
            {
                "predicate": self.inverse_label(inverse[p])
                if inverse is not None
                else self.predicate_label(p),
                # text in the page's language first, the other language after it
                "cells": sorted(
                    (v for (pp, _), v in grouped.items() if pp == p),
                    key=lambda v: v.lang is not None and v.lang != self.lang,
                ),
            }
            for p in order
        ]

    def statements(self, quads: list[ox.Quad]) -> list[dict[str, object]]:
        """A named graph's statements as rows (subject, predicate, object), sorted as read."""
        rows = [
            (self.value(q.subject), self.predicate_label(q.predicate.value), self.value(q.object))
            for q in quads
        ]
        rows.sort(key=lambda r: (r[0].text, r[1], r[2].text))
        return [{"subject": s, "predicate": p, "object": o} for s, p, o in rows]

    def types(self) -> list[str]:
        return sorted(
            {
                self.label(term_text(q.object))
                for q in self.facts
                if term_text(q.subject) == self.iri
                and q.predicate.value == RDF_TYPE
                and term_text(q.object).startswith(
                    (
                        "https://w3id.org/aigraph/ns#",
                        "http://schema.org/",
                        "http://www.w3.org/2004/02/skos/core#",
                    )
                )
            }
        )

    def from_vocabularies(self) -> bool:
        """Whether the entity is one of the editors' SKOS concepts or schemes: its type is
        stated in graph:vocabularies (ontology/concepts/), not by the release."""
        return any(
            term_text(q.subject) == self.iri
            and q.predicate.value == RDF_TYPE
            and isinstance(q.graph_name, ox.NamedNode)
            and q.graph_name.value.endswith("/id/graph/vocabularies")
            for q in self.facts
        )

    def _around_nodes(self) -> list[str]:
        """The participations and stated affiliations around the entity, by IRI."""
        kinds = {"https://w3id.org/aigraph/ns#Participation", "http://www.w3.org/ns/org#Membership"}
        return sorted(
            {
                term_text(q.subject)
                for q in self.facts
                if q.predicate.value == RDF_TYPE
                and term_text(q.object) in kinds
                and term_text(q.subject) != self.iri
            }
        )

    def section_id(self, node: str) -> str | None:
        """The id of the page's section on `node`, if it has one: its path on this server
        (a node of ours) or its IRI."""
        if node not in self._around:
            return None
        return (local_href(node, self.base) or node).lstrip("/")

    def around(self) -> list[dict[str, object]]:
        """Participations and stated affiliations linked to the entity, one section each."""
        sections: list[dict[str, object]] = []
        for n in self.around_nodes:
            rows = self.rows(None, n, INVERSE_LABELS) + self.rows(n)
            sections.append(
                {
                    "title": self.label(n)
                    if n in self.labels or n in self.composed
                    else self.predicate_title(n),
                    "href": local_href(n, self.base),
                    "id": self.section_id(n),
                    "quotes": self._shared_quotes(rows),
                    "rows": rows,
                }
            )
        return sections

    @staticmethod
    def _shared_quotes(rows: list[dict[str, object]]) -> list[dict[str, object]]:
        """The passages every fact of a section rests on, if they are the same for each (a
        participation or an affiliation is stated by one claim, often one sentence): quoted
        once under the section's heading and taken from its rows, where the same sentence
        stood under every fact."""
        cells = [v for row in rows for v in cast(list[Value], row["cells"])]
        first = cells[0].quotes if cells else []
        if not first or any(v.quotes != first for v in cells):
            return []
        for v in cells:
            v.quotes = []
        return first

    @staticmethod
    def shorten_repeats(
        facts: list[dict[str, object]],
        mentions: list[dict[str, object]],
        sections: list[dict[str, object]],
    ) -> None:
        """A long passage quoted again further down the page (a session's description supports
        its topics, its day, its position and itself: one sentence six times) is shortened to
        its first and last words there, marked as quoted above; each fact still shows, and
        links to, the words it rests on. In reading order: facts, mentions, sections."""
        seen: set[object] = set()

        def walk(quotes: list[dict[str, object]]) -> list[dict[str, object]]:
            shown = []
            for quote in quotes:
                key = (quote["href"], quote["exact"])  # a passage with no offsets: its words
                if key in seen and len(str(quote["exact"])) > REPEAT_SHORTENED_FROM:
                    quote = {**quote, "short": shortened(str(quote["exact"]))}
                seen.add(key)
                shown.append(quote)
            return shown

        def cells(rows: list[dict[str, object]]) -> None:
            for row in rows:
                for value in cast(list[Value], row["cells"]):
                    value.quotes = walk(value.quotes)

        cells(facts)
        cells(mentions)
        for section in sections:
            section["quotes"] = walk(cast(list[dict[str, object]], section["quotes"]))
            cells(cast(list[dict[str, object]], section["rows"]))

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
