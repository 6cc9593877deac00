# rule: shape:Initiative-aim
# focus: programme:residences-creation-ia
# message: French text from the release
INSERT DATA { GRAPH claim:s06-domains { programme:residences-creation-ia aig:statedAim "encourage plural approaches"@en } }
