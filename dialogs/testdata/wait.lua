TALK "waiting"
WAIT(3600)
TALK "never"
