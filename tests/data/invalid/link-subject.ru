# rule: shape:Link-subject
# focus: <https://w3id.org/aigraph/id/link/jean-michel-jarre-wikidata>
# message: exactly one aigraph entity
# Q900000001 is a synthetic identifier (no such Wikidata item exists): test data only.
INSERT DATA { GRAPH graph:links {
    <https://w3id.org/aigraph/id/link/jean-michel-jarre-wikidata> a aig:Link ;
        rdf:predicate schema:sameAs ;
        rdf:object <http://www.wikidata.org/entity/Q900000001> ;
        prov:wasDerivedFrom <https://www.wikidata.org/wiki/Q900000001> ;
        prov:generatedAtTime "2026-11-26T10:00:00Z"^^xsd:dateTime ;
        aig:linkMethod <https://w3id.org/aigraph/concept/link-method/curated> ;
        aig:confidence 1.0 .
} }
