-- The error is at the very end of the file: gopher-lua gives it no line.
TALK("one")
if x then TALK("two"
