-- Keyword calls checked against the keywords' description.
TALK("Hello", "there")
local size = HEAR{choises = {"S", "M", "L"}}
local n = HEAR{as = "numbr"}
local m = HEAR{as = "Integer", retry = 5}
TALK{txt = "Your order"}
HEAR("What is your name?")
local d = RANDOM(1)
MENU("Pick", {"a", true})
local r = LLM{prompt = "hi", temperature = "hot", silent = "yes"}
TRANSFER{reason = "help", timeout = "soon"}
WAIT()
HEAR{"S", "M"}
SET("k", 1, 2)
local f = HEAR{
  as = "image",
  retyr = "A photo, please.",
}
TALK(LLM("fine: the last argument may expand"))
SUGGEST("a", "b", "c")
LOG("any", "number", "of", "values", 1, true)
-- Literal files and URLs are checked against the bot's folder and http_allow.
TALK{text = "Our menu", attachments = {"files/menu.pdf"}}
local body = HTTP_GET("https://api.pizza.example/menu")
