# rule: shape:Initiative-framework
# focus: programme:transition-numerique-culture-ia
# message: at most one funding programme
INSERT DATA { GRAPH claim:france-2030-call { programme:transition-numerique-culture-ia aig:framework programme:referentiel-afnor } }
