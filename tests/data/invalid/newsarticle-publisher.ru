# rule: shape:NewsArticle-publisher
# focus: release:cnc-ia-2025-11-04
# message: has a publisher
DELETE DATA { GRAPH graph:editorial { release:cnc-ia-2025-11-04 schema:publisher organisation:cnc } }
