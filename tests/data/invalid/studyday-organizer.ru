# rule: shape:StudyDay-organizer
# focus: event:journee-ia-2025-10-07
# message: at least one organiser
DELETE DATA { GRAPH claim:day { event:journee-ia-2025-10-07 schema:organizer organisation:cnc } }
