# rule: shape:Observatory-launchDate
# focus: programme:observatoire-impacts-ia-emploi
# message: at the precision of the source
DELETE DATA { GRAPH claim:observatoire-launch { programme:observatoire-impacts-ia-emploi aig:launchDate "2025-05"^^xsd:gYearMonth } } ;
INSERT DATA { GRAPH claim:observatoire-launch { programme:observatoire-impacts-ia-emploi aig:launchDate "mai 2025" } }
