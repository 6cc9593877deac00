# rule: shape:Span-quoteSelector
# focus: span:s04-training-data
# message: exactly one oa:TextQuoteSelector
DELETE DATA { GRAPH graph:provenance { span:s04-training-data oa:hasSelector selector:s04-training-data-quote } }
