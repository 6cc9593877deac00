# rule: shape:Session-labelEn
# severity: Warning
# focus: session:2025-10-07-s04
# message: No English label
DELETE DATA { GRAPH graph:editorial { session:2025-10-07-s04 rdfs:label "Conclusion of the morning"@en } }
