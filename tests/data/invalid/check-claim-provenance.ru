# rule: check:claim-has-provenance
# focus: claim:orphan
# message: neither a fixed graph nor a declared claim
INSERT DATA { GRAPH claim:orphan { person:jean-michel-jarre schema:name "Jean-Michel Jarre" } }
