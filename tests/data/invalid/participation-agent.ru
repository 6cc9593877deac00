# rule: shape:Participation-agent
# focus: participation:2025-10-07-s07--perrine-vincent--moderator
# message: exactly one participant
DELETE DATA { GRAPH claim:s07-perrine-vincent {
  participation:2025-10-07-s07--perrine-vincent--moderator aig:agent person:perrine-vincent } }
