# rule: shape:Concept-prefLabelEn
# severity: Warning
# focus: jobtitle:journaliste
# message: No English preferred label
DELETE DATA { GRAPH graph:editorial { jobtitle:journaliste skos:prefLabel "journalist"@en } }
