local function ask(q)
  TALK(q)
  local a = HEAR()

while true do
  ask("again?")
end
