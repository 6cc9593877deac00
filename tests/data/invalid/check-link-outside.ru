# rule: check:link-has-evidence
# focus: person:jean-michel-jarre
# message: outside graph:links
# Q900000001 is a synthetic identifier (no such Wikidata item exists): test data only.
INSERT DATA { GRAPH claim:s03-jean-michel-jarre {
    person:jean-michel-jarre schema:sameAs <http://www.wikidata.org/entity/Q900000001> .
} }
