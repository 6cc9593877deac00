# rule: shape:Organisation-sector
# focus: organisation:sacd
# message: classified (org:classification) in a sector
DELETE DATA { GRAPH graph:editorial { organisation:sacd org:classification sector:collecting-society } }
