# rule: shape:Span-positionSelector
# focus: span:s04-training-data
# message: exactly one oa:TextPositionSelector
DELETE DATA { GRAPH graph:provenance { span:s04-training-data oa:hasSelector selector:s04-training-data-position } }
