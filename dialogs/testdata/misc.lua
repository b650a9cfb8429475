TALK(USER.id .. " " .. USER.name .. " " .. tostring(USER.anonymous))
TALK(NOW())
TALK(tostring(RANDOM(1, 6)))
TALK(tostring(math.random(10)))
LOG("hello", 42, true, nil)
WAIT(0)
WAIT(0.001)
TALK "done"
