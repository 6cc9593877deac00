# rule: shape:CatalogueQuery-target
# focus: <https://w3id.org/aigraph/id/query/sessions>
# message: names the one endpoint it is written for
DELETE DATA { GRAPH graph:queries {
  <https://w3id.org/aigraph/id/query/sessions> schema:target <https://w3id.org/aigraph/sparql>
} }
