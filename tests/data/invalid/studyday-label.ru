# rule: shape:StudyDay-label
# focus: event:journee-ia-2025-10-07
# message: exactly one French label
DELETE { GRAPH graph:editorial { event:journee-ia-2025-10-07 rdfs:label ?l } }
WHERE { GRAPH graph:editorial { event:journee-ia-2025-10-07 rdfs:label ?l FILTER (lang(?l) = "fr") } }
