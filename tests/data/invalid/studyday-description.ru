# rule: shape:StudyDay-description
# focus: event:journee-ia-2025-10-07
# message: description in French
DELETE WHERE { GRAPH ?g { event:journee-ia-2025-10-07 schema:description ?d } }
