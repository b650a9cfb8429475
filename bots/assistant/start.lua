-- The assistant: every question goes to the language model with the last
-- messages of the conversation (HISTORY) as context; the reply streams to
-- the chat as it is written and is then stored like any bot message.
-- LLM returns nil and the error when the call fails: the bot says so,
-- and says how to configure an endpoint when there is none.
local system = "You are Parley's assistant, talking with a visitor in a web chat. " ..
  "Answer briefly and plainly."

local function setup_help()
  TALK("I have no language model to ask yet. Start parley with --llm-base-url " ..
    "(e.g. https://api.openai.com/v1, or http://localhost:11434/v1 for Ollama), " ..
    "--llm-model and --llm-api-key (or PARLEY_LLM_BASE_URL, PARLEY_LLM_MODEL, " ..
    "PARLEY_LLM_API_KEY), or give this bot its own in bot.yaml under llm:.")
end

TALK "Hi! I answer with a language model. Ask me anything."
while true do
  HEAR()
  local reply, err = LLM{system = system, messages = HISTORY(20)}
  if not reply then
    if string.find(err, "no LLM endpoint", 1, true) then
      setup_help()
    else
      TALK("Sorry, I could not get an answer: " .. err .. ". Try again in a moment.")
    end
  end
end
