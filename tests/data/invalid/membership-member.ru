# rule: shape:Membership-member
# focus: membership:maxime-boutron--conseil-d-etat
# message: exactly one member
DELETE DATA { GRAPH claim:s01-maxime-boutron { membership:maxime-boutron--conseil-d-etat org:member person:maxime-boutron } }
