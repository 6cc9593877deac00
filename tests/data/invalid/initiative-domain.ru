# rule: shape:Initiative-domain
# focus: programme:residences-creation-ia
# message: a concept of the domain scheme
INSERT DATA { GRAPH claim:s06-domains { programme:residences-creation-ia aig:domain topic:creativity } }
