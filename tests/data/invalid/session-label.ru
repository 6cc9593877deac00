# rule: shape:Session-label
# focus: session:2025-10-07-s04
# message: exactly one French label
DELETE DATA { GRAPH graph:editorial { session:2025-10-07-s04 rdfs:label "Conclusion de la matinée"@fr } }
