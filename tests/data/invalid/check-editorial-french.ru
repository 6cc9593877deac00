# rule: check:editorial-kinds
# focus: release:cnc-ia-2025-11-04
# message: only in @en
INSERT DATA { GRAPH graph:editorial { release:cnc-ia-2025-11-04 schema:name "Communiqué"@fr } }
