# rule: shape:CatalogueQuery
# focus: <https://w3id.org/aigraph/id/query/Who_Spoke>
# message: …/id/query/<the file's name>
PREFIX sh: <http://www.w3.org/ns/shacl#>
INSERT DATA { GRAPH graph:queries {
  <https://w3id.org/aigraph/id/query/Who_Spoke> a sh:SPARQLExecutable ;
    rdfs:label "Qui a parlé"@fr, "Who spoke"@en ;
    rdfs:comment "Qui a parlé ?"@fr, "Who spoke?"@en ;
    sh:select "SELECT * WHERE { ?s ?p ?o }" ;
    schema:target <https://w3id.org/aigraph/sparql> .
} }
