# rule: shape:Link-syntax
# focus: <https://w3id.org/aigraph/id/link/sgpi-archives-nationales-record>
# message: not a well-formed Archives nationales identifier
# The record's IRI (record/052383) in place of its agent's (agent/052383): a record describes
# the body, it is not the body.
INSERT DATA { GRAPH graph:links {
    organisation:sgpi schema:sameAs <https://rdf.archives-nationales.culture.gouv.fr/agent/record/052383> .
    <https://w3id.org/aigraph/id/link/sgpi-archives-nationales-record> a aig:Link ;
        rdf:subject organisation:sgpi ;
        rdf:predicate schema:sameAs ;
        rdf:object <https://rdf.archives-nationales.culture.gouv.fr/agent/record/052383> ;
        prov:wasDerivedFrom <https://github.com/ArchivesNationalesFR/Referentiels/blob/5116cb6957503d08581927a7f8a4d51064e5725e/agents/rdf/collectivites/FRAN_Agent_052383.rdf> ;
        prov:generatedAtTime "2026-11-27T23:15:00Z"^^xsd:dateTime ;
        aig:linkMethod <https://w3id.org/aigraph/concept/link-method/curated> ;
        aig:confidence 0.95 .
} }
