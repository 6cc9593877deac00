"""Examples for the OpenAPI description of the JSON routes: real answers of the bundled graph,
shortened. tests/test_server_endpoint.py checks that each has the keys the live route returns,
so an example cannot drift from what the server says."""

from __future__ import annotations

from typing import Any

SHA = "093abb534ccd7ea2b82963de8d4114f8f8d6a387575d1ff1754bea8996d5755f"

HEALTH = {
    "status": "ok",
    "version": "0.1.0",
    "backend": "memory",
    "triples": 2316,
    "named_graphs": 66,
    "workers": 2,
    "workers_up": 2,
    "sandboxed_workers": True,
    "uptime_s": 12.5,
    "clients_querying": 1,
    "queries": {
        "received": 1042,
        "stopped_at_limit": 3,
        "stopped_at_memory_limit": 0,
        "refused_client_share": 1,
        "refused_busy": 0,
        "worker_died": 0,
    },
    "updates": {"applied": 0, "stopped_at_limit": 0, "failed": 0},
}
ABOUT = {
    "version": "0.1.0",
    "triples": 2316,
    "named_graphs": 66,
    "data_sha256": "64562302bd5cad240b450162879b2ba6b4bafd4b34b1939e5d23abd5ec8abf41",
    "source_text_sha256": SHA,
    "shapes": {"conforms": True, "violations": 0, "warnings": 46},
}
SETTINGS = {
    "host": "127.0.0.1",
    "port": 8000,
    "base_iri": "https://w3id.org/aigraph/",
    "bundled": True,
    "backend": "memory",
    "workers": 2,
    "query_timeout": 5.0,
    "query_memory_mb": 1024,
    "update_timeout": 60.0,
    "max_results": 10000,
    "max_body_bytes": 1000000,
    "max_query_chars": 100000,
    "max_dump_triples": 1000000,
    "cors": True,
    "service_allowlist": [],
    "sandbox": True,
    "data": [],
    "updates_enabled": False,
}
DUMPS = {
    "files": [
        {
            "name": "aigraph.ttl",
            "url": "http://127.0.0.1:8000/dumps/aigraph.ttl",
            "media_type": "text/turtle",
            "size": 65058,
            "sha256": "424009bb7771ea59…",
            "description": "The facts without their evidence: the RDF merge of every graph "
            "but the evidence (graph:provenance) and the ontology: …",
            "description_fr": "Les faits sans leurs preuves : la fusion RDF de chaque graphe "
            "sauf les preuves (graph:provenance) et l'ontologie : …",
        }
    ]
}
CATALOGUE = {
    "queries": [
        {
            "name": "person",
            "title": {"en": "Everything the release says about one person", "fr": "…"},
            "question": {"en": "In which sessions did this person take part …?", "fr": "…"},
            "parameters": [
                {
                    "name": "person",
                    "type": "iri",
                    "default": "https://w3id.org/aigraph/id/person/jean-michel-jarre",
                    "description": "the person's IRI",
                }
            ],
            "columns": ["session", "role", "title", "organisation"],
            "expect": "one row per participation",
            "keywords": ["person"],
            "run": "http://127.0.0.1:8000/queries/person",
            "text": "http://127.0.0.1:8000/queries/person.rq",
            "iri": "https://w3id.org/aigraph/id/query/person",
        }
    ]
}
SPARQL_JSON = {
    "head": {"vars": ["session", "position"]},
    "results": {
        "bindings": [
            {
                "session": {
                    "type": "uri",
                    "value": "https://w3id.org/aigraph/id/session/2025-10-07-s01",
                },
                "position": {
                    "type": "literal",
                    "value": "1",
                    "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                },
            }
        ]
    },
}


SEARCH = {
    "query": "beatr",
    "results": [
        {
            "iri": "https://w3id.org/aigraph/id/person/beatrice-bauwens",
            "href": "/id/person/beatrice-bauwens",
            "label": "Béatrice Bauwens",
            "matched": "Béatrice Bauwens",
            "kind": "person",
            "kind_label": "person",
            "score": 0.7,
        }
    ],
}


def _linked(
    iri: str,
    name: str,
    predicate: str,
    target: str,
    authority: str,
    evidence: str,
    confidence: float,
) -> dict[str, object]:
    link = {
        "predicate": predicate,
        "target": target,
        "authority": authority,
        "evidence": [evidence],
        "confidence": confidence,
        "method": "curated",
    }
    return {"iri": iri, "name": name, "links": [link]}


LINKS = {
    "person": {
        "entities": 27,
        "linked": 2,
        "by_authority": {"website": 2},
        "links": [
            _linked(
                "https://w3id.org/aigraph/id/person/jean-michel-jarre",
                "Jean-Michel Jarre",
                "http://schema.org/url",
                "https://jeanmicheljarre.com/",
                "website",
                "https://fr.m.wikipedia.org/wiki/Jean-Michel_Jarre",
                0.9,
            )
        ],
        "unlinked": [
            {
                "iri": "https://w3id.org/aigraph/id/person/alexandra-bensamoun",
                "name": "Alexandra Bensamoun",
            }
        ],
    },
    "organisation": {
        "entities": 19,
        "linked": 10,
        "by_authority": {"anf": 6, "bnf": 1, "isni": 2, "siren": 2, "website": 7, "wikidata": 3},
        "links": [
            _linked(
                "https://w3id.org/aigraph/id/organisation/cnc",
                "CNC",
                "http://schema.org/sameAs",
                "http://www.wikidata.org/entity/Q1054221",
                "wikidata",
                "https://github.com/ArchivesNationalesFR/Referentiels/blob/"
                "14b356025d9d02c0d379e41c4a681aaa45911fe1/agents/rdf/collectivites/"
                "FRAN_Agent_005418.rdf",
                0.95,
            )
        ],
        "unlinked": [{"iri": "https://w3id.org/aigraph/id/organisation/afdas", "name": "Afdas"}],
    },
    "topic": {
        "entities": 17,
        "linked": 0,
        "by_authority": {},
        "links": [],
        "unlinked": [
            {
                "iri": "https://w3id.org/aigraph/concept/topic/value-sharing",
                "name": "partage de la valeur",
            }
        ],
    },
}


SNIPPETS = {
    "snippets": [
        {
            "name": "curl",
            "title": "curl",
            "language": "shell",
            "code": "curl -sS --fail-with-body --compressed http://127.0.0.1:8000/sparql \\\n"
            "  -H 'Accept: application/sparql-results+json' \\\n"
            "  --data-urlencode 'query@-' <<'SPARQL'\nASK {}\nSPARQL\n",
        }
    ],
    "note": "",
}


ADVICE = {
    "advice": [
        {
            "kind": "cross-product",
            "parts": [["?a"], ["?b", "?p", "?o"]],
            "message": "These parts of the pattern share no variable: {?a} × {?b ?p ?o}. The "
            "answer pairs every match of one with every match of the other; join them through "
            "a variable, or ask them in separate queries.",
        }
    ]
}


def json_example(example: object, media: str = "application/json") -> dict[int | str, Any]:
    """The ``responses`` argument of a route whose 200 answer is `example`."""
    return {200: {"content": {media: {"example": example}}}}


_S = "http://spdx.org/rdf/terms#"
CSVM = {
    "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
    "url": "http://127.0.0.1:8000/sparql?query=SELECT+%3Fname+WHERE+%7B+%3Fp+a+%3Chttp%3A%2F%2F"
    "schema.org%2FPerson%3E+%3B+%3Chttp%3A%2F%2Fschema.org%2Fname%3E+%3Fname+%7D&format=csv",
    "dc:title": "An answer of the SPARQL endpoint of the dataset “aigraph: …”, as CSV",
    "dc:description": "The answer to the query below, in the SPARQL 1.1 Query Results CSV "
    "Format: …",
    "dc:format": "text/csv",
    "dialect": {"header": True},
    "tableSchema": {"columns": [{"titles": "name"}]},
    "prov:wasGeneratedBy": {
        "@type": "prov:Activity",
        "rdfs:label": "a SPARQL query",
        "schema:query": "SELECT ?name WHERE { ?p a <http://schema.org/Person> ; "
        "<http://schema.org/name> ?name }",
        "prov:wasAssociatedWith": {"@id": "http://127.0.0.1:8000/sparql"},
        "prov:used": {"@id": "https://w3id.org/aigraph/id/dataset/aigraph"},
    },
    "dc:source": {"@id": "https://w3id.org/aigraph/id/dataset/aigraph"},
    "dc:license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},
    "dc:bibliographicCitation": "The aigraph developers (2025). aigraph: … [dataset], version "
    "0.1.0. https://w3id.org/aigraph/id/dataset/aigraph",
    "prov:wasDerivedFrom": {
        "@id": "http://127.0.0.1:8000/dumps/aigraph.nq",
        _S + "checksum": {
            _S + "algorithm": {"@id": _S + "checksumAlgorithm_sha256"},
            _S + "checksumValue": "8c1f…",
        },
    },
}

_Q = "http://127.0.0.1:8000/queries/person"
CATALOGUE_CSVM = {
    **CSVM,
    "url": _Q + "?person=https%3A%2F%2Fw3id.org%2Faigraph%2Fid%2Fperson%2Fjean-michel-jarre"
    "&format=csv",
    "dc:title": "Everything about one person",
    "dc:description": "In which sessions did this person take part, in which role, and how "
    "does the release introduce them there (title, organisation, occupation)?\n\nThe answer "
    "to the query below, in the SPARQL 1.1 Query Results CSV Format: …",
    "tableSchema": {"columns": [{"titles": "person"}, {"titles": "name"}, {"titles": "…"}]},
    "prov:wasGeneratedBy": {
        "@type": "prov:Activity",
        "rdfs:label": "a query of the catalogue, its parameters bound by the engine",
        "schema:query": "PREFIX aig: <https://w3id.org/aigraph/ns#> … SELECT ?person ?name … "
        "WHERE { ?person schema:name ?name . … }",
        "prov:wasAssociatedWith": {"@id": "http://127.0.0.1:8000/sparql"},
        "prov:used": [
            {"@id": "https://w3id.org/aigraph/id/dataset/aigraph"},
            {"@id": "https://w3id.org/aigraph/id/query/person"},
        ],
        "schema:additionalProperty": [
            {
                "@type": "schema:PropertyValue",
                "schema:name": "person",
                "schema:value": {"@id": "https://w3id.org/aigraph/id/person/jean-michel-jarre"},
            }
        ],
    },
}
