# rule: shape:Initiative-nameEn
# severity: Warning
# focus: programme:france-2030
# message: No English name
DELETE DATA { GRAPH graph:editorial { programme:france-2030 schema:name "France 2030"@en } }
