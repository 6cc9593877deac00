# rule: shape:DatasetGraph
# focus: <https://w3id.org/aigraph/id/graph/Editorial_Notes>
# message: …/id/graph/<lowercase-slug>
INSERT DATA { GRAPH graph:provenance {
  <https://w3id.org/aigraph/id/graph/Editorial_Notes> a aig:DatasetGraph ;
    rdfs:label "notes"@fr, "notes"@en ; rdfs:comment "Des notes."@fr, "Notes."@en .
} }
