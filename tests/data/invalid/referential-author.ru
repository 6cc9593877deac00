# rule: shape:Referential-author
# focus: programme:referentiel-afnor
# message: at least one author
DELETE DATA { GRAPH claim:s10-afnor { programme:referentiel-afnor schema:author organisation:afnor } }
