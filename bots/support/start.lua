-- Order-status intake: an order number (5 to 8 digits) and an email address,
-- both re-asked politely until they fit, then a confirmation.

TALK("Hi, I can look up an order for you.")
TALK("What's your order number? You'll find it in your confirmation email.")

local order
while true do
  order = HEAR{as = "integer",
    retry = "Sorry, an order number is just digits, like 123456. What's yours?"}
  if order >= 10000 and order <= 99999999 then
    break
  end
  TALK("Hmm, order numbers have 5 to 8 digits. Could you check it again?")
end

TALK("Thanks! Which email address did you use for order " .. order .. "?")
local email = HEAR{as = "email",
  retry = "That doesn't look like an email address. Please type it like name@example.com."}

SET("last_order", {order = order, email = email, at = NOW()})
LOG("order status requested", order)

TALK("Got it: order " .. order .. ", email " .. email .. ".")
TALK("We'll email you the status within one working day. Anything else? Just write again.")
