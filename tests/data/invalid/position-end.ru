# rule: shape:PositionSelector-end
# focus: selector:s04-training-data-position
# message: exactly one end
DELETE { GRAPH graph:provenance { selector:s04-training-data-position oa:end ?end } }
INSERT { GRAPH graph:provenance { selector:s04-training-data-position oa:end ?decimal } }
WHERE { GRAPH graph:provenance { selector:s04-training-data-position oa:end ?end } BIND (xsd:decimal(?end) AS ?decimal) }
