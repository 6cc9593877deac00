# rule: shape:Session-position
# focus: session:2025-10-07-s04
# message: an integer from 1
DELETE DATA { GRAPH claim:s04 { session:2025-10-07-s04 aig:programmePosition 4 } } ;
INSERT DATA { GRAPH claim:s04 { session:2025-10-07-s04 aig:programmePosition 0 } }
