# rule: shape:CatalogueQuery-label
# focus: <https://w3id.org/aigraph/id/query/person>
# message: one title in French and one in English
DELETE { GRAPH graph:queries { <https://w3id.org/aigraph/id/query/person> rdfs:label ?title } }
WHERE { GRAPH graph:queries {
  <https://w3id.org/aigraph/id/query/person> rdfs:label ?title FILTER (lang(?title) = "fr")
} }
