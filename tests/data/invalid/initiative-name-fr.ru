# rule: shape:Initiative-nameFr
# focus: programme:france-2030
# message: exactly one French name
DELETE DATA { GRAPH claim:france-2030-call { programme:france-2030 schema:name "France 2030"@fr } }
