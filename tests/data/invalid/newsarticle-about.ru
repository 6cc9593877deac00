# rule: shape:NewsArticle-about
# focus: release:cnc-ia-2025-11-04
# message: is about a study day
DELETE DATA { GRAPH claim:day-format { release:cnc-ia-2025-11-04 schema:about event:journee-ia-2025-10-07 } }
