# rule: shape:Concept-prefLabelLanguages
# focus: jobtitle:journaliste
# message: French or English
INSERT DATA { GRAPH claim:s01-anastasia-svoboda { jobtitle:journaliste skos:prefLabel "Journalistin"@de } }
