-- Every step shows the values it depends on, so a test can tell that a
-- dialog rebuilt from its journal saw the same NOW, RANDOM, GET and
-- answers as before.
local t0 = NOW()
local r0 = RANDOM(1, 1000000000)
TALK("start " .. t0 .. " " .. r0)
local n = HEAR{as = "integer", retry = "a number, please"}
local color = MENU("pick a color", {"red", "green", "blue"})
SET("n", n)
WAIT(0.2)
TALK("saved " .. GET("n") .. " " .. color)
local word = HEAR()
local r1 = RANDOM(1, 1000000000)
TALK("done " .. word .. " " .. n .. " " .. color .. " " .. t0 .. " " .. r0 .. " " .. r1)
while true do
  TALK("again " .. HEAR())
end
