-- Order-status intake: an order number (5 to 8 digits) and an email address,
-- then a confirmation. Two answers that are not an order number, and the
-- bot hands the conversation to a person from the support desk (TRANSFER).
-- An order that arrived damaged: the bot asks for a photo of it and answers
-- with a picture of its own (files/packing.png).

TALK("Hi, I can look up an order for you.")
TALK("What's your order number? You'll find it in your confirmation email.")

-- ask_order returns the order number, or nil after two answers that are not
-- one: then a person is better placed to help than a third question.
local function ask_order()
  for try = 1, 2 do
    local answer = HEAR()
    local n = tonumber(answer:match("^%s*#?(%d+)%s*$") or "")
    if n and n >= 10000 and n <= 99999999 then
      return n
    end
    if try == 1 then
      TALK("Hmm, an order number is 5 to 8 digits, like 123456. Could you check it again?")
    end
  end
  return nil
end

local order = ask_order()
if not order then
  TALK("Let me find a person from our team to help you. Please describe the problem here.")
  local r = TRANSFER{reason = "could not give a valid order number", timeout = 3600}
  if r.resolved then
    TALK(r.agent .. " has closed your request. Thanks for your patience! Write again any time.")
  else
    TALK("Sorry, everyone is busy. We'll answer here within one working day.")
  end
  return
end

TALK("Thanks! Which email address did you use for order " .. order .. "?")
local email = HEAR{as = "email",
  retry = "That doesn't look like an email address. Please type it like name@example.com."}

TALK("Got it: order " .. order .. ", email " .. email .. ".")
local request = {order = order, email = email, at = NOW()}

local problem = MENU("Is anything wrong with it?", {"It arrived damaged", "Just the status"})
if problem == "It arrived damaged" then
  TALK("Sorry about that! Please send a photo of the damage.")
  local photo = HEAR{as = "image",
    retry = "I need a picture to pass on: please send a photo of the damage."}
  request.photo = photo.id
  TALK{text = "Thanks, we have your photo (" .. photo.name .. "). " ..
    "Please keep the item and its box: pack it like this, and we'll email you a return label.",
    attachments = {"files/packing.png"}}
end

SET("last_order", request)
LOG("order status requested", order)
TALK("We'll email you the status within one working day. Anything else? Just write again.")
