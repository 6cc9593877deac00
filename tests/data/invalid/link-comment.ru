# rule: shape:Link-comment
# focus: <https://w3id.org/aigraph/id/link/cnc-website>
# message: language tag
# The note on a bundled link's evidence, without its language tag.
DELETE { GRAPH graph:links { <https://w3id.org/aigraph/id/link/cnc-website> rdfs:comment ?note } }
INSERT { GRAPH graph:links { <https://w3id.org/aigraph/id/link/cnc-website> rdfs:comment ?plain } }
WHERE { GRAPH graph:links { <https://w3id.org/aigraph/id/link/cnc-website> rdfs:comment ?note
        BIND (STR(?note) AS ?plain) } }
