# rule: shape:Participation-session
# focus: participation:2025-10-07-s03--jean-michel-jarre--panelist
# message: belongs to exactly one session
INSERT DATA { GRAPH claim:s04 {
  session:2025-10-07-s04 aig:participation participation:2025-10-07-s03--jean-michel-jarre--panelist } }
