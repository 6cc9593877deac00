# rule: shape:Participation-role
# focus: participation:2025-10-07-s03--jean-michel-jarre--panelist
# message: exactly one role (aig:role) from the role scheme
DELETE DATA { GRAPH claim:s03-jean-michel-jarre {
  participation:2025-10-07-s03--jean-michel-jarre--panelist aig:role role:panelist } } ;
INSERT DATA { GRAPH claim:s03-jean-michel-jarre {
  participation:2025-10-07-s03--jean-michel-jarre--panelist aig:role topic:creativity } }
