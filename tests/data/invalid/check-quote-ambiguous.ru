# rule: check:quote-found
# focus: selector:s01-kind-quote
# message: occurs 2 times
DELETE WHERE { GRAPH graph:provenance { selector:s01-kind-quote oa:suffix ?suffix } }
