# rule: shape:Observatory-launchedBy
# focus: programme:observatoire-impacts-ia-emploi
# message: at least one organisation that launched it
DELETE WHERE { GRAPH ?g { programme:observatoire-impacts-ia-emploi aig:launchedBy ?org } }
