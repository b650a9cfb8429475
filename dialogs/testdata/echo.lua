while true do TALK(HEAR()) end
