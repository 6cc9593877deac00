# rule: shape:Participation-occupation
# focus: participation:2025-10-07-s03--jean-michel-jarre--panelist
# message: a concept of the occupation scheme
INSERT DATA { GRAPH claim:s03-jean-michel-jarre {
  participation:2025-10-07-s03--jean-michel-jarre--panelist aig:statedOccupation jobtitle:journaliste } }
