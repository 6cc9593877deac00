# rule: shape:Link-date
# focus: <https://w3id.org/aigraph/id/link/jean-michel-jarre-wikidata>
# message: when its identifier was found
# Q900000001 is a synthetic identifier (no such Wikidata item exists): test data only.
INSERT DATA { GRAPH graph:links {
    person:jean-michel-jarre schema:sameAs <http://www.wikidata.org/entity/Q900000001> .
    <https://w3id.org/aigraph/id/link/jean-michel-jarre-wikidata> a aig:Link ;
        rdf:subject person:jean-michel-jarre ;
        rdf:predicate schema:sameAs ;
        rdf:object <http://www.wikidata.org/entity/Q900000001> ;
        prov:wasDerivedFrom <https://www.wikidata.org/wiki/Q900000001> ;
        prov:generatedAtTime "2026-11-26"^^xsd:date ;
        aig:linkMethod <https://w3id.org/aigraph/concept/link-method/curated> ;
        aig:confidence 1.0 .
} }
