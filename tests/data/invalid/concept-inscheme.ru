# rule: shape:Concept-inScheme
# focus: occupation:realisateur
# message: in at least one concept scheme
INSERT DATA { GRAPH claim:s09-olivier-babinet { occupation:realisateur skos:inScheme person:olivier-babinet } }
