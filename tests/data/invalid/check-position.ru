# rule: check:position-matches-quote
# focus: selector:s04-training-data-position
# message: not the quoted
DELETE { GRAPH graph:provenance { selector:s04-training-data-position oa:start ?s ; oa:end ?e } }
INSERT { GRAPH graph:provenance { selector:s04-training-data-position oa:start ?s1 ; oa:end ?e1 } }
WHERE { GRAPH graph:provenance { selector:s04-training-data-position oa:start ?s ; oa:end ?e }
        BIND (?s + 1 AS ?s1) BIND (?e + 1 AS ?e1) }
