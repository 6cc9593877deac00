# rule: shape:Concept-prefLabelFr
# focus: jobtitle:journaliste
# message: exactly one French preferred label
DELETE DATA { GRAPH claim:s01-anastasia-svoboda { jobtitle:journaliste skos:prefLabel "journaliste"@fr } }
