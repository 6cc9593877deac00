# rule: shape:CatalogueQuery-select
# focus: <https://w3id.org/aigraph/id/query/topics>
# message: exactly one text
PREFIX sh: <http://www.w3.org/ns/shacl#>
INSERT DATA { GRAPH graph:queries {
  <https://w3id.org/aigraph/id/query/topics> sh:select "SELECT ?topic WHERE { ?topic a skos:Concept }"
} }
