# rule: check:no-default-graph
# focus: person:jean-michel-jarre
# message: in the default graph
INSERT DATA { person:jean-michel-jarre schema:name "Jean-Michel Jarre" }
