# rule: shape:Person-participates
# focus: person:jean-michel
# message: takes part in at least one session
INSERT DATA { GRAPH claim:s03-jean-michel-jarre { person:jean-michel a schema:Person ; schema:name "Jean-Michel" } }
