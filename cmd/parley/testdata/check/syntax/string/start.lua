TALK("fine")
TALK("this string
is cut")
