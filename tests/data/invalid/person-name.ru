# rule: shape:Person-name
# focus: person:jean-michel-jarre
# message: exactly one name
DELETE DATA { GRAPH claim:s03-jean-michel-jarre { person:jean-michel-jarre schema:name "Jean-Michel Jarre" } }
