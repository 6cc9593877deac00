# rule: shape:Membership
# focus: <https://w3id.org/aigraph/id/membership/boutron>
# message: <person>--<organisation>
DELETE { GRAPH ?g { ?s ?p ?o } } INSERT { GRAPH ?g { ?s2 ?p ?o2 } }
WHERE {
  VALUES ?old { membership:maxime-boutron--conseil-d-etat }
  GRAPH ?g { ?s ?p ?o }
  FILTER (?s = ?old || ?o = ?old)
  BIND (IF(?s = ?old, <https://w3id.org/aigraph/id/membership/boutron>, ?s) AS ?s2)
  BIND (IF(?o = ?old, <https://w3id.org/aigraph/id/membership/boutron>, ?o) AS ?o2)
}
