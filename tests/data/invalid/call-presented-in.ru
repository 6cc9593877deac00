# rule: shape:CallForProjects-presentedIn
# focus: programme:residences-creation-ia
# message: presented in at least one session
DELETE DATA { GRAPH claim:s06 { session:2025-10-07-s06 aig:presents programme:residences-creation-ia } }
