TALK("x")
