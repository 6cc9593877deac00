# rule: shape:CallForProjects-aim
# focus: programme:residences-creation-ia
# message: at least one stated aim
DELETE WHERE { GRAPH ?g { programme:residences-creation-ia aig:statedAim ?aim } }
