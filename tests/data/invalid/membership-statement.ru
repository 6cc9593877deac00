# rule: shape:Membership-statement
# focus: membership:matthieu-lorrain--google-deepmind
# message: states a title (org:role) or an activity
DELETE WHERE { GRAPH ?g { membership:matthieu-lorrain--google-deepmind aig:statedActivity ?activity } }
