# rule: shape:Participation-affiliationOfAgent
# focus: participation:2025-10-07-s03--pauline-augrain--moderator
# message: is someone else's
DELETE DATA { GRAPH claim:s03-pauline-augrain {
  participation:2025-10-07-s03--pauline-augrain--moderator aig:statedAffiliation membership:pauline-augrain--cnc } } ;
INSERT DATA { GRAPH claim:s03-pauline-augrain {
  participation:2025-10-07-s03--pauline-augrain--moderator aig:statedAffiliation membership:leslie-thomas--cnc } }
