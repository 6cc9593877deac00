# rule: check:editorial-kinds
# focus: person:jean-michel-jarre
# message: may not state
INSERT DATA { GRAPH graph:editorial { person:jean-michel-jarre schema:jobTitle "composer"@en } }
