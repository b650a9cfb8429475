TALK "looping"
while true do end
