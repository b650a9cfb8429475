-- The first message names the kind, the second is read as that kind.
while true do
  local kind = HEAR()
  local v = HEAR{as = kind}
  TALK(type(v) .. " " .. tostring(v))
end
