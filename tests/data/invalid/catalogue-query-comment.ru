# rule: shape:CatalogueQuery-comment
# focus: <https://w3id.org/aigraph/id/query/moderators>
# message: the question it answers in French and in English
DELETE { GRAPH graph:queries { <https://w3id.org/aigraph/id/query/moderators> rdfs:comment ?question } }
WHERE { GRAPH graph:queries {
  <https://w3id.org/aigraph/id/query/moderators> rdfs:comment ?question FILTER (lang(?question) = "en")
} }
