# rule: shape:DatasetGraph-label
# focus: graph:derived
# message: one label in French and one in English
DELETE DATA { GRAPH graph:provenance { graph:derived rdfs:label "derived shortcuts"@en } }
