# rule: shape:Session-topic
# focus: session:2025-10-07-s05
# message: at least one topic
DELETE DATA { GRAPH claim:observatoire-aim { session:2025-10-07-s05 schema:about topic:employment-skills } }
