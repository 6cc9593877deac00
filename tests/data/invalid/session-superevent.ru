# rule: shape:Session-superEvent
# focus: session:2025-10-07-s04
# message: part of exactly one study day
DELETE DATA { GRAPH claim:s04 { session:2025-10-07-s04 schema:superEvent event:journee-ia-2025-10-07 } }
