# rule: shape:Span-source
# focus: span:s04-training-data
# message: exactly one source text
DELETE WHERE { GRAPH graph:provenance { span:s04-training-data oa:hasSource ?text } }
