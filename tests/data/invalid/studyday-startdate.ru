# rule: shape:StudyDay-startDate
# focus: event:journee-ia-2025-10-07
# message: exactly one start date
DELETE DATA { GRAPH claim:day { event:journee-ia-2025-10-07 schema:startDate "2025-10-07"^^xsd:date } } ;
INSERT DATA { GRAPH claim:day { event:journee-ia-2025-10-07 schema:startDate "7 octobre" } }
