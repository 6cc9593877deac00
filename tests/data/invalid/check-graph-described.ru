# rule: check:graph-is-described
# focus: graph:editorial
# message: not described
DELETE DATA { GRAPH graph:provenance { graph:editorial a aig:DatasetGraph } }
