# rule: shape:Organisation-name
# focus: organisation:sacd
# message: has a name
DELETE DATA { GRAPH claim:s07-heloise-capiocca { organisation:sacd schema:name "SACD" } }
