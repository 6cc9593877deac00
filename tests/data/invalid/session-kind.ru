# rule: shape:Session-kind
# focus: session:2025-10-07-s04
# message: exactly one kind
DELETE DATA { GRAPH claim:s04 { session:2025-10-07-s04 aig:sessionKind kind:conclusion } }
