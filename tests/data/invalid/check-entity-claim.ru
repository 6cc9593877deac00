# rule: check:entity-has-claim
# focus: person:ghost
# message: No claim graph describes this entity
INSERT DATA { GRAPH graph:editorial { person:ghost rdfs:label "Ghost"@en } }
