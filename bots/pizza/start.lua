-- bots/pizza/start.lua
local last = GET("last_order") -- what SET stored at this user's last order, or nil
if last then
  TALK("Welcome back! Last time: " .. last.count .. " × " .. last.size .. ".")
else
  TALK "Hi! I take pizza orders."
end
local retry = "How many? A whole number, like 2."
while true do -- one order a turn of the loop: the script never returns
  local size = MENU("What size?", {"Small", "Medium", "Large"})
  TALK "How many?"
  local count = HEAR{as = "integer", retry = retry} -- asks again until it is one
  while count < 1 or count > 20 do
    TALK "From 1 to 20 pizzas, please."
    count = HEAR{as = "integer", retry = retry}
  end
  SET("last_order", {size = size, count = count})
  TALK("Thanks! " .. count .. " × " .. size .. ", coming up.")
  TALK "Write to me whenever you want another order."
  HEAR() -- whatever they write starts the next order
end
