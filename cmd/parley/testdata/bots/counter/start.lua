local n = (GET("visits") or 0) + 1
SET("visits", n)
TALK("visit " .. n)
while true do
  local m = HEAR()
  TALK("you said: " .. m)
end
