TALK "Hi! What's your name?"
local name = HEAR()
TALK("Hello, " .. name .. "!")
