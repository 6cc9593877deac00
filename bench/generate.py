"""A deterministic generator of synthetic data in aigraph's own model, at any size.

Study days with ten sessions each; participations with roles and stated affiliations
(org:Membership with a job title); people and organisations drawn from pools so that people
take part in several sessions and organisations have several people; sectors, topics, session
kinds and roles from aigraph's own SKOS schemes (so that the catalogue queries in queries/
run unchanged); one claim graph per participation with its passage (quote and position
selectors) in graph:provenance; external links for a share of people; and the derived
shortcuts the build would add (types, schema:performer, aig:moderator, schema:subEvent).

The same (size, seed) always gives the same bytes. Usage:

    python bench/generate.py 100000 bench/data/gen-100000.nq
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

B = "https://w3id.org/aigraph/"
AIG = B + "ns#"
SCHEMA = "http://schema.org/"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"

KINDS = ["round-table", "presentation", "keynote", "study-presentation", "conclusion", "discussion"]
ROLES = ["panelist", "presenter", "keynote-speaker", "speaker"]
TOPICS = [
    "responsible-ai",
    "value-sharing",
    "regulation",
    "generative-ai-challenges",
    "digital-transition",
    "innovation-competitiveness",
    "sector-accountability",
    "public-support",
    "training-data-copyright",
    "employment-skills",
    "artistic-experimentation",
    "research-creation",
    "creativity",
    "narrative-forms",
    "work-practices",
    "environmental-impact",
    "standardisation",
]
SECTORS = [
    "public-body",
    "ministry-directorate",
    "court",
    "audiovisual-company",
    "ai-company",
    "media",
    "school",
    "collecting-society",
    "skills-operator",
    "social-protection",
    "collective",
    "standards-body",
    "cultural-institution",
]
GIVEN = [
    "Alice",
    "Bruno",
    "Chloé",
    "David",
    "Élise",
    "Farid",
    "Gaëlle",
    "Hugo",
    "Inès",
    "Jules",
    "Karima",
    "Louis",
    "Maëlle",
    "Nicolas",
    "Océane",
    "Pierre",
    "Rania",
    "Samuel",
    "Théo",
    "Yasmine",
]
FAMILY = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
]
TITLES = [
    "directrice du numérique",
    "chargé de mission",
    "responsable de la recherche",
    "président",
    "secrétaire générale",
    "directeur de l'innovation",
    "productrice",
    "journaliste",
]
WORDS = [
    "intelligence",
    "artificielle",
    "création",
    "animation",
    "filière",
    "valeur",
    "données",
    "auteurs",
    "emploi",
    "formation",
    "recherche",
    "expérimentation",
    "régulation",
    "environnement",
    "image",
]

# triples per study day, roughly: used to pick how many days make the requested size
TRIPLES_PER_DAY = 1000


def iri(value: str) -> str:
    return f"<{value}>"


def lit(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


class Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def quad(self, s: str, p: str, o: str, g: str) -> None:
        self.lines.append(f"{s} {p} {o} {g} .\n")


def generate(size: int, seed: int = 7) -> str:
    """N-Quads of a dataset of about `size` distinct triples."""
    rng = random.Random(seed)
    days = max(1, round(size / TRIPLES_PER_DAY))
    people = max(20, days * 12)
    orgs = max(10, days * 3)
    w = Writer()
    prov = iri(B + "id/graph/provenance")
    editorial = iri(B + "id/graph/editorial")
    derived = iri(B + "id/graph/derived")
    vocab = iri(B + "id/graph/vocabularies")
    text = iri(B + "id/text/synthetic")
    t = iri(RDF_TYPE)

    # vocabularies the catalogue queries rely on
    for scheme, members, prefix in (
        ("roles", [*ROLES, "moderator"], "role"),
        ("topics", TOPICS, "topic"),
        ("session-kinds", KINDS, "session-kind"),
        ("sectors", SECTORS, "sector"),
    ):
        sch = iri(B + f"concept/scheme/{scheme}")
        w.quad(sch, t, iri(SKOS + "ConceptScheme"), vocab)
        for m in members:
            c = iri(B + f"concept/{prefix}/{m}")
            w.quad(c, t, iri(SKOS + "Concept"), vocab)
            w.quad(c, iri(SKOS + "inScheme"), sch, vocab)
            w.quad(c, iri(SKOS + "prefLabel"), lit(m.replace("-", " "), "fr"), vocab)
            w.quad(c, iri(SKOS + "prefLabel"), lit(m.replace("-", " "), "en"), vocab)
            if prefix == "topic":
                w.quad(c, iri(SKOS + "definition"), lit(f"définition de {m}", "fr"), vocab)
    for role in ("panelist", "presenter", "keynote-speaker"):
        w.quad(
            iri(B + f"concept/role/{role}"),
            iri(SKOS + "broader"),
            iri(B + "concept/role/speaker"),
            vocab,
        )
    w.quad(text, t, iri(AIG + "SourceText"), prov)
    w.quad(text, iri(AIG + "codePoints"), lit("1000000", datatype=XSD + "integer"), prov)

    for o in range(orgs):
        org = iri(B + f"id/organisation/o{o:05d}")
        g = iri(B + f"id/claim/org-{o:05d}")
        for cls in (ORG + "FormalOrganization", ORG + "Organization", SCHEMA + "Organization"):
            w.quad(org, t, iri(cls), g if cls.endswith("FormalOrganization") else derived)
        w.quad(org, iri(SCHEMA + "name"), lit(f"Organisation {o}"), g)
        w.quad(
            org,
            iri(ORG + "classification"),
            iri(B + f"concept/sector/{SECTORS[o % len(SECTORS)]}"),
            editorial,
        )
        w.quad(g, t, iri(AIG + "Claim"), prov)
    names = []
    for p in range(people):
        person = iri(B + f"id/person/p{p:06d}")
        name = f"{GIVEN[p % len(GIVEN)]} {FAMILY[(p // len(GIVEN)) % len(FAMILY)]} {p}"
        names.append(name)
        g = iri(B + f"id/claim/person-{p:06d}")
        w.quad(person, t, iri(SCHEMA + "Person"), g)
        w.quad(person, iri(SCHEMA + "name"), lit(name), g)
        w.quad(g, t, iri(AIG + "Claim"), prov)
        if p % 3 == 0:
            w.quad(
                person,
                iri(SCHEMA + "sameAs"),
                iri(f"http://www.wikidata.org/entity/Q{1000 + p}"),
                iri(B + "id/graph/links"),
            )

    offset = 0
    for d in range(days):
        day = iri(B + f"id/event/day-{d:05d}")
        dg = iri(B + f"id/claim/day-{d:05d}")
        w.quad(day, t, iri(AIG + "StudyDay"), dg)
        w.quad(day, t, iri(SCHEMA + "Event"), derived)
        w.quad(
            day,
            iri(SCHEMA + "startDate"),
            lit(f"{2020 + d % 6}-{1 + d % 12:02d}-{1 + d % 28:02d}", datatype=XSD + "date"),
            dg,
        )
        w.quad(day, iri(SCHEMA + "organizer"), iri(B + f"id/organisation/o{d % orgs:05d}"), dg)
        w.quad(day, iri(RDFS_LABEL), lit(f"Journée {d}", "fr"), editorial)
        w.quad(dg, t, iri(AIG + "Claim"), prov)
        for s in range(10):
            session = iri(B + f"id/session/d{d:05d}-s{s + 1:02d}")
            sg = iri(B + f"id/claim/d{d:05d}-s{s + 1:02d}")
            w.quad(session, t, iri(AIG + "Session"), sg)
            w.quad(session, t, iri(SCHEMA + "Event"), derived)
            w.quad(session, iri(SCHEMA + "superEvent"), day, sg)
            w.quad(day, iri(SCHEMA + "subEvent"), session, derived)
            w.quad(
                session,
                iri(AIG + "programmePosition"),
                lit(str(s + 1), datatype=XSD + "integer"),
                sg,
            )
            w.quad(
                session,
                iri(AIG + "sessionKind"),
                iri(B + f"concept/session-kind/{KINDS[rng.randrange(len(KINDS))]}"),
                sg,
            )
            description = " ".join(rng.choice(WORDS) for _ in range(12))
            w.quad(session, iri(SCHEMA + "description"), lit(description, "fr"), sg)
            w.quad(session, iri(RDFS_LABEL), lit(f"Session {s + 1} du jour {d}", "fr"), editorial)
            w.quad(session, iri(RDFS_LABEL), lit(f"Session {s + 1} of day {d}", "en"), editorial)
            for topic in rng.sample(TOPICS, 2):
                w.quad(session, iri(SCHEMA + "about"), iri(B + f"concept/topic/{topic}"), sg)
            w.quad(sg, t, iri(AIG + "Claim"), prov)
            for k in range(4):
                pid = rng.randrange(people)
                person = iri(B + f"id/person/p{pid:06d}")
                role = "moderator" if k == 3 else ROLES[rng.randrange(len(ROLES))]
                part = iri(B + f"id/participation/d{d:05d}-s{s + 1:02d}--p{pid:06d}--{role}")
                oid = (pid * 7 + k) % orgs
                membership = iri(B + f"id/membership/p{pid:06d}--o{oid:05d}")
                title = TITLES[(pid + oid) % len(TITLES)]
                title_iri = iri(B + f"id/job-title/t{(pid + oid) % len(TITLES)}")
                cg = iri(B + f"id/claim/d{d:05d}-s{s + 1:02d}-{k}")
                w.quad(session, iri(AIG + "participation"), part, cg)
                w.quad(part, t, iri(AIG + "Participation"), cg)
                w.quad(part, iri(AIG + "agent"), person, cg)
                w.quad(part, iri(AIG + "role"), iri(B + f"concept/role/{role}"), cg)
                w.quad(part, iri(AIG + "statedAffiliation"), membership, cg)
                w.quad(membership, t, iri(ORG + "Membership"), cg)
                w.quad(membership, iri(ORG + "member"), person, cg)
                w.quad(
                    membership,
                    iri(ORG + "organization"),
                    iri(B + f"id/organisation/o{oid:05d}"),
                    cg,
                )
                w.quad(membership, iri(ORG + "role"), title_iri, cg)
                w.quad(title_iri, iri(SKOS + "prefLabel"), lit(title, "fr"), cg)
                w.quad(
                    membership,
                    iri(AIG + "attestedOn"),
                    lit("2025-10-07", datatype=XSD + "date"),
                    cg,
                )
                shortcut = AIG + "moderator" if role == "moderator" else SCHEMA + "performer"
                w.quad(session, iri(shortcut), person, derived)
                span = iri(B + f"id/span/d{d:05d}-s{s + 1:02d}-{k}")
                quote = iri(B + f"id/selector/d{d:05d}-s{s + 1:02d}-{k}-quote")
                position = iri(B + f"id/selector/d{d:05d}-s{s + 1:02d}-{k}-position")
                exact = f"{names[pid]}, {title}"
                w.quad(cg, t, iri(AIG + "Claim"), prov)
                w.quad(cg, iri(PROV + "wasDerivedFrom"), span, prov)
                w.quad(span, t, iri(OA + "SpecificResource"), prov)
                w.quad(span, iri(OA + "hasSource"), text, prov)
                w.quad(span, iri(OA + "hasSelector"), quote, prov)
                w.quad(span, iri(OA + "hasSelector"), position, prov)
                w.quad(quote, t, iri(OA + "TextQuoteSelector"), prov)
                w.quad(quote, iri(OA + "exact"), lit(exact), prov)
                w.quad(position, t, iri(OA + "TextPositionSelector"), prov)
                w.quad(
                    position, iri(OA + "start"), lit(str(offset), datatype=XSD + "integer"), prov
                )
                w.quad(
                    position,
                    iri(OA + "end"),
                    lit(str(offset + len(exact)), datatype=XSD + "integer"),
                    prov,
                )
                offset += len(exact) + 2
    return "".join(w.lines)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        sys.stderr.write(__doc__ or "")
        return 2
    size, out = int(float(argv[1])), Path(argv[2])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(generate(size), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
