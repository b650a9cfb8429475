-- The default bot: anonymous visitors reach only this one.
--
-- It greets, learns the visitor's name (remembered with SET, so a logged-in
-- user is welcomed back by name on the next visit), then offers a menu
-- forever. The script normally never returns.

local name = GET("name")
if name then
  TALK("Welcome back, " .. name .. "!")
else
  TALK("Hello! I'm Parley's welcome bot.")
  TALK("What's your name?")
  name = HEAR()
  -- Keep it short: people sometimes answer with a whole sentence.
  name = name:gsub("^%s+", ""):gsub("%s+$", ""):sub(1, 40)
  SET("name", name)
  TALK("Nice to meet you, " .. name .. "!")
end

local answers = {
  ["Order status"] = "Our support bot checks orders: open a conversation with 'support' and have your order number ready.",
  ["Talk to support"] = "A person from our team reads every conversation with the support bot and answers within one working day.",
  ["About Parley"] = "Parley runs bots written as small Lua scripts and talks to you over a WebSocket. Your place in the conversation survives restarts.",
}

while true do
  local choice = MENU("How can I help, " .. name .. "?",
    {"Order status", "Talk to support", "About Parley"})
  TYPING()
  TALK(answers[choice])
end
