# rule: shape:Session-uniquePosition
# focus: session:2025-10-07-s03
# focus: session:2025-10-07-s04
# message: share the programme position 3
DELETE DATA { GRAPH claim:s04 { session:2025-10-07-s04 aig:programmePosition 4 } } ;
INSERT DATA { GRAPH claim:s04 { session:2025-10-07-s04 aig:programmePosition 3 } }
