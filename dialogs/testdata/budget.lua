-- Waiting must not count against the time budget; busy work does.
local function busy(n) local x = 0 for i = 1, n do x = x + i end return x end
TALK "ready"
WAIT(0.3)
TYPING(0.3)
TALK "after wait"
HEAR()
busy(1000)
TALK "after hear"
