# rule: shape:SourceText-codePoints
# focus: text:cnc-ia-release-2025-11-04
# message: exactly one length in code points
DELETE WHERE { GRAPH graph:provenance { text:cnc-ia-release-2025-11-04 aig:codePoints ?n } }
