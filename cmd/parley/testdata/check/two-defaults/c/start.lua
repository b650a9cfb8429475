TALK("c")
