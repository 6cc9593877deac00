# rule: shape:Participation
# focus: <https://w3id.org/aigraph/id/participation/jarre>
# message: <session>--<person>--<role>
DELETE { GRAPH ?g { ?s ?p ?o } } INSERT { GRAPH ?g { ?s2 ?p ?o2 } }
WHERE {
  VALUES ?old { participation:2025-10-07-s03--jean-michel-jarre--panelist }
  GRAPH ?g { ?s ?p ?o }
  FILTER (?s = ?old || ?o = ?old)
  BIND (IF(?s = ?old, <https://w3id.org/aigraph/id/participation/jarre>, ?s) AS ?s2)
  BIND (IF(?o = ?old, <https://w3id.org/aigraph/id/participation/jarre>, ?o) AS ?o2)
}
