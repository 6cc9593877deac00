# rule: shape:Claim-derivedFrom
# focus: claim:s04-training-data
# message: derived from at least one passage
INSERT DATA { GRAPH graph:provenance { claim:s04-training-data prov:wasDerivedFrom release:cnc-ia-2025-11-04 } }
