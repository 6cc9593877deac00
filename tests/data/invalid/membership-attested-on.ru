# rule: shape:Membership-attestedOn
# focus: membership:maxime-boutron--conseil-d-etat
# message: when it is attested
DELETE DATA { GRAPH claim:s01-maxime-boutron { membership:maxime-boutron--conseil-d-etat aig:attestedOn "2025-10-07"^^xsd:date } }
