# rule: check:verbatim
# focus: person:jean-michel-jarre
# message: is not word for word
DELETE DATA { GRAPH claim:s03-jean-michel-jarre { person:jean-michel-jarre schema:name "Jean-Michel Jarre" } } ;
INSERT DATA { GRAPH claim:s03-jean-michel-jarre { person:jean-michel-jarre schema:name "Jean Michel Jarre" } }
