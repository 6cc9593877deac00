# rule: shape:Initiative
# focus: <https://w3id.org/aigraph/id/programme/France2030>
# message: …/id/programme/<lowercase-slug>
DELETE { GRAPH ?g { ?s ?p ?o } } INSERT { GRAPH ?g { ?s2 ?p ?o2 } }
WHERE {
  VALUES ?old { programme:france-2030 }
  GRAPH ?g { ?s ?p ?o }
  FILTER (?s = ?old || ?o = ?old)
  BIND (IF(?s = ?old, <https://w3id.org/aigraph/id/programme/France2030>, ?s) AS ?s2)
  BIND (IF(?o = ?old, <https://w3id.org/aigraph/id/programme/France2030>, ?o) AS ?o2)
}
