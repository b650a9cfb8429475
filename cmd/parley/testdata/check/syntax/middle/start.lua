TALK "hi"
local n = HEAR{as = "number"}
if n > 3 then
  TALK("big")
else if then
  TALK("small")
end
