-- Everything a replay must reproduce: the order pairs() walks library
-- tables, script tables and tables from GET; tostring and string.format
-- of tables and functions; NOW, RANDOM, math.random; error messages that
-- name table keys; HEAR's relative dates; TYPING and WAIT; HTTP;
-- LLM and HISTORY.
local function keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = tostring(k) end
  return table.concat(out, ",")
end

TALK(keys(_G))
TALK(keys(string) .. " | " .. keys(math) .. " | " .. keys(table) .. " | " .. keys(USER))

local t = {}
for i = 1, 40 do t["k" .. RANDOM(1, 1000000)] = i end
for i = 1, 10 do t[RANDOM(1, 1000000) + 0.5] = i end
t[next(t)] = nil
TALK(keys(t))

local f = function() end
TALK(tostring({}) .. " " .. tostring(f) .. " " .. tostring(f) .. string.format(" %s %s", {}, TALK))
TALK(NOW() .. " " .. tostring(math.random()) .. " " .. math.random(6) .. " " .. math.random(10, 20))

SET("obj", {b = 1, a = {z = 1, y = 2, x = {3}}, c = "x"})
local o = GET("obj")
TALK(keys(o) .. " " .. keys(o.a))

local _, err = pcall(HEAR, {zz = 1, yy = 2, as = "text"})
TALK(err)
_, err = pcall(SET, "k", {a = function() end, b = 0 / 0, c = {}})
TALK(err)

local body, status = HTTP_GET("https://api.example.com/n")
TALK(body .. " " .. status)
body = HTTP_POST("https://api.example.com/n", {n = body, at = NOW()})
TALK(body)
_, err = pcall(HTTP_POST, "https://api.example.com/n", {f = TALK})
TALK(err)

local reply = LLM{system = "be brief", prompt = "hi " .. body, temperature = 0.5}
local h = HISTORY(3)
TALK(reply .. " " .. h[1].content .. " " .. keys(h[1]))

TALK("name? ")
local name = HEAR()
TYPING(0.002)
TALK("hi " .. name)
WAIT(0.001)
local day = HEAR{as = "date"}
TALK(day)
TALK(MENU("pick", {"a", "b"}))
