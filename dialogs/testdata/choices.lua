local size = HEAR{choices = {"Small", "Large"}}
TALK("size " .. size)
local n = HEAR{as = "integer", retry = "Digits, please."}
TALK("n " .. n)
local ok = HEAR{as = "boolean"}
TALK("ok " .. tostring(ok))
local pick = MENU("Pick one", {"Red", "Green"})
TALK("pick " .. pick)
local level = HEAR{as = "integer", choices = {"1", "2", "3"}}
TALK("level " .. type(level) .. " " .. level)
