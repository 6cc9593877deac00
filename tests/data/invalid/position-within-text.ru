# rule: shape:PositionSelector-withinText
# focus: *
# message: past the end of its source text
DELETE WHERE { GRAPH graph:provenance { text:cnc-ia-release-2025-11-04 aig:codePoints ?n } } ;
INSERT DATA { GRAPH graph:provenance { text:cnc-ia-release-2025-11-04 aig:codePoints 6000 } }
