# rule: shape:Initiative-launchedBy
# focus: programme:france-2030
# message: is an organisation
INSERT DATA { GRAPH claim:france-2030-call { programme:france-2030 aig:launchedBy person:jean-michel-jarre } }
