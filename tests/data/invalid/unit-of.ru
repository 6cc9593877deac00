# rule: shape:OrganisationalUnit-unitOf
# focus: organisation:cnc-service-accompagnement-professionnels
# message: a unit of exactly one formal organisation
DELETE WHERE { GRAPH ?g { organisation:cnc-service-accompagnement-professionnels org:unitOf organisation:cnc } }
