# rule: shape:Person
# focus: <https://w3id.org/aigraph/id/person/JMJarre>
# message: …/id/person/<lowercase-slug-of-the-name>
DELETE { GRAPH ?g { ?s ?p ?o } } INSERT { GRAPH ?g { ?s2 ?p ?o2 } }
WHERE {
  VALUES ?old { person:jean-michel-jarre }
  GRAPH ?g { ?s ?p ?o }
  FILTER (?s = ?old || ?o = ?old)
  BIND (IF(?s = ?old, <https://w3id.org/aigraph/id/person/JMJarre>, ?s) AS ?s2)
  BIND (IF(?o = ?old, <https://w3id.org/aigraph/id/person/JMJarre>, ?o) AS ?o2)
}
