# rule: shape:Residency-cohortYear
# focus: programme:villa-albertine-2026
# message: exactly one cohort year
DELETE DATA { GRAPH claim:s07-lou-fauroux { programme:villa-albertine-2026 aig:cohortYear "2026"^^xsd:gYear } }
