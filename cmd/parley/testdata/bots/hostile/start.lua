-- Each command makes the script misbehave in one way; anything else is
-- answered, so a test can tell the dialog restarted and still works.
while true do
  local m = HEAR()
  if m == "loop" then
    while true do end
  elseif m == "exec" then
    os.execute("touch /tmp/parley-pwned")
  elseif m == "open" then
    io.open("/etc/passwd")
  elseif m == "require" then
    require("os")
  elseif m == "crash" then
    local t = nil
    TALK(t.field)
  end
  TALK("ok: " .. m)
end
