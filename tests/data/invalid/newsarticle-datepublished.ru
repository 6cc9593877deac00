# rule: shape:NewsArticle-datePublished
# focus: release:cnc-ia-2025-11-04
# message: exactly one publication date
DELETE DATA { GRAPH claim:release { release:cnc-ia-2025-11-04 schema:datePublished "2025-11-04"^^xsd:date } }
