# rule: shape:Participation-affiliation
# focus: participation:2025-10-07-s03--jean-michel-jarre--panelist
# message: an org:Membership
INSERT DATA { GRAPH claim:s03-jean-michel-jarre {
  participation:2025-10-07-s03--jean-michel-jarre--panelist aig:statedAffiliation organisation:cnc } }
