# rule: shape:Session-topicDefined
# severity: Warning
# focus: session:2025-10-07-s05
# message: no definition in French and in English
DELETE { GRAPH graph:vocabularies { topic:employment-skills skos:definition ?d } }
WHERE { GRAPH graph:vocabularies { topic:employment-skills skos:definition ?d FILTER (lang(?d) = "en") } }
