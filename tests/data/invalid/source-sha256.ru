# rule: shape:SourceText-sha256
# focus: text:cnc-ia-release-2025-11-04
# message: 64 lowercase hex digits
DELETE WHERE { GRAPH graph:provenance { text:cnc-ia-release-2025-11-04 aig:sha256 ?sha } } ;
INSERT DATA { GRAPH graph:provenance { text:cnc-ia-release-2025-11-04 aig:sha256 "ABC" } }
