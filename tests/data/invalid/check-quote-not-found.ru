# rule: check:quote-found
# focus: selector:s08-questions-quote
# message: does not occur in the source text
INSERT DATA { GRAPH graph:provenance { selector:s08-questions-quote oa:prefix "XYZ " } }
