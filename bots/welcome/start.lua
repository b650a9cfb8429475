-- The default bot: anonymous visitors reach only this one.
--
-- It greets, learns the visitor's name (remembered with SET, so a logged-in
-- user is welcomed back by name on the next visit), then offers a menu
-- forever. "Talk to support" hands the conversation to a person from the
-- support desk (TRANSFER) and picks up again when they are done. The
-- script normally never returns.

-- People answer "What's your name?" with a greeting as often as with a
-- name, or with a sentence: "hi" is no name, and "Hello, I'm Ada" is Ada.
-- Longer phrases first, so that "hi there" is not taken for "hi" and "there".
local greetings = {"hello there", "hi there", "hey there", "good morning", "good afternoon",
  "good evening", "hello", "hiya", "hey", "hi", "hola", "bonjour", "hallo"}
local intros = {"my name is", "my name's", "i'm", "i am", "im", "call me", "it's", "this is"}

-- without returns s without a leading phrase of list (any case, followed
-- by a space, punctuation or nothing: "Hilda" does not start with "hi").
local function without(s, list)
  for _, phrase in ipairs(list) do
    local after = s:sub(#phrase + 1)
    if s:sub(1, #phrase):lower() == phrase and not after:match("^%w") then
      return (after:gsub("^[%s%p]+", ""))
    end
  end
  return s
end

-- ask_name asks until the answer holds a name, and returns it.
local function ask_name()
  TALK("What's your name?")
  while true do
    local answer = HEAR():gsub("^%s+", ""):gsub("[%s%.!,]+$", "")
    local name = without(without(answer, greetings), intros):sub(1, 40) -- keep it short
    if name ~= "" then
      return name
    end
    TALK(answer == "" and "What's your name?" or "Hi! What's your name?")
  end
end

local name = GET("name")
if name then
  TALK("Welcome back, " .. name .. "!")
else
  TALK("Hello! I'm Parley's welcome bot.")
  name = ask_name()
  SET("name", name)
  TALK("Nice to meet you, " .. name .. "!")
end

local answers = {
  ["Order status"] = "Our support bot checks orders: open a conversation with 'support' and have your order number ready.",
  ["About Parley"] = "Parley runs bots written as small Lua scripts and talks to you over a WebSocket. Your place in the conversation survives restarts.",
}

-- Hands the conversation to a person. Until they are done, what the
-- visitor writes goes to them, not to this script. Ten minutes without
-- anyone taking it, and the bot takes over again.
local function talk_to_support()
  TALK("I'm asking a person from our team to join. Write your question here: they will see the whole conversation.")
  local r = TRANSFER{reason = "asked for a person from the welcome menu", timeout = 600}
  if r.resolved and r.note ~= "" then
    TALK(r.agent .. " has finished helping you (" .. r.note .. "). I'm here if you need anything else.")
  elseif r.resolved then
    TALK(r.agent .. " has finished helping you. I'm here if you need anything else.")
  else
    TALK("Sorry, nobody from our team is free right now. We answer every conversation of the support bot within one working day.")
  end
end

while true do
  local choice = MENU("How can I help, " .. name .. "?",
    {"Order status", "Talk to support", "About Parley"})
  if choice == "Talk to support" then
    talk_to_support()
  else
    TYPING()
    TALK(answers[choice])
  end
end
