# rule: shape:Claim
# focus: <https://w3id.org/aigraph/id/claim/S04_Training>
# message: …/id/claim/<lowercase-slug>
MOVE GRAPH claim:s04-training-data TO <https://w3id.org/aigraph/id/claim/S04_Training> ;
DELETE { GRAPH graph:provenance { claim:s04-training-data ?p ?o } }
INSERT { GRAPH graph:provenance { <https://w3id.org/aigraph/id/claim/S04_Training> ?p ?o } }
WHERE { GRAPH graph:provenance { claim:s04-training-data ?p ?o } }
