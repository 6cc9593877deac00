# rule: shape:QuoteSelector-exact
# focus: selector:s04-training-data-quote
# message: exactly one non-empty exact quote
DELETE { GRAPH graph:provenance { selector:s04-training-data-quote oa:exact ?q } }
INSERT { GRAPH graph:provenance { selector:s04-training-data-quote oa:exact ?tagged } }
WHERE { GRAPH graph:provenance { selector:s04-training-data-quote oa:exact ?q } BIND (STRLANG(?q, "fr") AS ?tagged) }
