# rule: shape:Session
# focus: <https://w3id.org/aigraph/id/session/conclusion>
# message: …/id/session/<date>-sNN
DELETE { GRAPH ?g { ?s ?p ?o } } INSERT { GRAPH ?g { ?s2 ?p ?o2 } }
WHERE {
  GRAPH ?g { ?s ?p ?o FILTER (?s = session:2025-10-07-s04 || ?o = session:2025-10-07-s04) }
  BIND (IF(?s = session:2025-10-07-s04, <https://w3id.org/aigraph/id/session/conclusion>, ?s) AS ?s2)
  BIND (IF(?o = session:2025-10-07-s04, <https://w3id.org/aigraph/id/session/conclusion>, ?o) AS ?o2)
}
