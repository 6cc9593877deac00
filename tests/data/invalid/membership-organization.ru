# rule: shape:Membership-organization
# focus: membership:maxime-boutron--conseil-d-etat
# message: in exactly one organisation
INSERT DATA { GRAPH claim:s01-maxime-boutron { membership:maxime-boutron--conseil-d-etat org:organization organisation:sacd } }
