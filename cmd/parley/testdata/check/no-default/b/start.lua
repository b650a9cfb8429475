TALK("b")
