-- Every message is trimmed with the everyday idiom, which backtracks for
-- a minute on 32,000 spaces and an x; each command runs a pattern that
-- backtracks for longer. The time budget must stop them all.
local a, p = ("a"):rep(40000), ("a*"):rep(40) .. "b"
local bombs = {
  find = function() return a:find(p) end,
  match = function() return a:match(p) end,
  gmatch = function() for w in a:gmatch(p) do end end,
  gsub = function() return a:gsub(p, "x") end,
  lazy = function() return ("y"):rep(5000):find("(.-)(.-)(.-)x") end,
  brace = function() return ("("):rep(1e6):find("%b()") end,
  callback = function() return ("x"):rep(3):gsub("x", function() return a:find(p) end) end,
}
while true do
  local m = HEAR():match("^(.-)%s*$")
  if bombs[m] then
    bombs[m]()
  end
  TALK("ok: " .. m)
end
