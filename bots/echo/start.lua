-- The benchmark bot: every user message gets exactly one reply, itself.
-- No greeting, so a conversation starts silent and a turn is one message in,
-- one message out.
while true do
  TALK(HEAR())
end
