# rule: shape:PositionSelector-start
# focus: selector:s04-training-data-position
# message: exactly one start
DELETE { GRAPH graph:provenance { selector:s04-training-data-position oa:start ?start } }
INSERT { GRAPH graph:provenance { selector:s04-training-data-position oa:start ?text } }
WHERE { GRAPH graph:provenance { selector:s04-training-data-position oa:start ?start } BIND (STR(?start) AS ?text) }
