-- Lists every global and library function a script can see.
local names = {}
for k, v in pairs(_G) do
  if type(v) == "table" and k ~= "_G" and k ~= "USER" then
    for f in pairs(v) do names[#names + 1] = k .. "." .. f end
  else
    names[#names + 1] = k
  end
end
table.sort(names)
TALK(table.concat(names, " "))
