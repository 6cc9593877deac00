# rule: shape:Siren
# focus: *
# message: 9 digits
# Q900000001 is a synthetic identifier (no such Wikidata item exists): test data only.
INSERT DATA { GRAPH graph:links {
    organisation:cnc aig:siren "12345" .
    <https://w3id.org/aigraph/id/link/cnc-siren> a aig:Link ;
        rdf:subject organisation:cnc ; rdf:predicate aig:siren ; rdf:object "12345" ;
        prov:wasDerivedFrom <https://example.org/register/cnc> ;
        prov:generatedAtTime "2026-11-26T10:00:00Z"^^xsd:dateTime ;
        aig:linkMethod <https://w3id.org/aigraph/concept/link-method/curated> ;
        aig:confidence 1.0 .
} }
