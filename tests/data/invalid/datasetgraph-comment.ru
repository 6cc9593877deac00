# rule: shape:DatasetGraph-comment
# focus: graph:links
# message: what it holds and who made it
INSERT DATA { GRAPH graph:provenance { graph:links rdfs:comment "Des liens."@fr } }
