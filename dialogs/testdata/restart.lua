TALK "start"
local x = HEAR()
if x == "boom" then
  error("kaboom")
end
TALK("got " .. x)
