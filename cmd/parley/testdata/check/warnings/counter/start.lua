-- Globals do not outlive a run: each run starts in a fresh Lua state.
visits = (visits or 0) + 1
if not greeted then
  TALK("Hello!")
  greeted = true
end
greet()
function greet() TALK("hi") end
-- Inside a loop that sets it, a read is fine.
while true do
  if last then TALK("You said " .. last) end
  last = HEAR()
  if last == "bye" then break end
end
-- Reads inside functions are not judged.
local function show() TALK(tostring(shown)) end
shown = 1
show()
function TALK(s) LOG(s) end
