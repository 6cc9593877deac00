# rule: shape:NewsArticle-inLanguage
# focus: release:cnc-ia-2025-11-04
# message: exactly one language
DELETE DATA { GRAPH graph:editorial { release:cnc-ia-2025-11-04 schema:inLanguage "fr" } } ;
INSERT DATA { GRAPH graph:editorial { release:cnc-ia-2025-11-04 schema:inLanguage "french" } }
