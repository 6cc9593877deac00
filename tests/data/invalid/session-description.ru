# rule: shape:Session-description
# focus: session:2025-10-07-s04
# message: exactly one description in French
INSERT DATA { GRAPH claim:s04 { session:2025-10-07-s04 schema:description "Idzard Van der Puyl conclut la matinée"@fr } }
