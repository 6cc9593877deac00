# rule: check:link-has-evidence
# focus: person:jean-michel-jarre
# message: has no evidence
# Q900000001 is a synthetic identifier (no such Wikidata item exists): test data only.
INSERT DATA { GRAPH graph:links {
    person:jean-michel-jarre schema:sameAs <http://www.wikidata.org/entity/Q900000001> .
} }
