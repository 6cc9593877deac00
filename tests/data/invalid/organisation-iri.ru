# rule: shape:Organisation
# focus: <https://w3id.org/aigraph/id/organisation/AFNOR>
# message: …/id/organisation/<lowercase-slug>
DELETE { GRAPH ?g { ?s ?p ?o } } INSERT { GRAPH ?g { ?s2 ?p ?o2 } }
WHERE {
  VALUES ?old { organisation:afnor }
  GRAPH ?g { ?s ?p ?o }
  FILTER (?s = ?old || ?o = ?old)
  BIND (IF(?s = ?old, <https://w3id.org/aigraph/id/organisation/AFNOR>, ?s) AS ?s2)
  BIND (IF(?o = ?old, <https://w3id.org/aigraph/id/organisation/AFNOR>, ?o) AS ?o2)
}
