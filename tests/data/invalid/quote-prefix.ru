# rule: shape:QuoteSelector-prefix
# focus: selector:s04-training-data-quote
# message: at most one prefix
INSERT DATA { GRAPH graph:provenance { selector:s04-training-data-quote oa:prefix "et "@fr } }
