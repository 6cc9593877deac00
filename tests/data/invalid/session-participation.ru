# rule: shape:Session-participation
# focus: session:2025-10-07-s04
# message: each an aig:Participation
INSERT DATA { GRAPH claim:s04 { session:2025-10-07-s04 aig:participation person:idzard-van-der-puyl } }
