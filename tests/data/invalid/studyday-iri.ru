# rule: shape:StudyDay
# focus: <https://w3id.org/aigraph/id/event/Journee_IA>
# message: …/id/event/<lowercase-slug>
DELETE { GRAPH ?g { ?s ?p ?o } } INSERT { GRAPH ?g { ?s2 ?p ?o2 } }
WHERE {
  GRAPH ?g { ?s ?p ?o FILTER (?s = event:journee-ia-2025-10-07 || ?o = event:journee-ia-2025-10-07) }
  BIND (IF(?s = event:journee-ia-2025-10-07, <https://w3id.org/aigraph/id/event/Journee_IA>, ?s) AS ?s2)
  BIND (IF(?o = event:journee-ia-2025-10-07, <https://w3id.org/aigraph/id/event/Journee_IA>, ?o) AS ?o2)
}
