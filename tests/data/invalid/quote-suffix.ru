# rule: shape:QuoteSelector-suffix
# focus: selector:s04-training-data-quote
# message: at most one suffix
INSERT DATA { GRAPH graph:provenance { selector:s04-training-data-quote oa:suffix ","@fr } }
