TALK("a")
