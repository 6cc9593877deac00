# rule: shape:Membership-role
# focus: membership:maxime-boutron--conseil-d-etat
# message: an org:Role of the job-title scheme
DELETE DATA { GRAPH claim:s01-maxime-boutron { membership:maxime-boutron--conseil-d-etat org:role jobtitle:maitre-des-requetes } } ;
INSERT DATA { GRAPH claim:s01-maxime-boutron { membership:maxime-boutron--conseil-d-etat org:role occupation:artiste } }
