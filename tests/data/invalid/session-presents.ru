# rule: shape:Session-presents
# focus: session:2025-10-07-s04
# message: a programme or initiative
INSERT DATA { GRAPH claim:s04 { session:2025-10-07-s04 aig:presents organisation:cnc } }
