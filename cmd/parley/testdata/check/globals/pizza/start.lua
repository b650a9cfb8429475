-- Names that nothing defines fail only when the line runs.
local name = HEAR()
print(name)
TLAK("Hello " .. name)
talk("lower case")
ASK("a keyword that does not exist")
TALK(nmae)
TALK(os.date())
local size = string.uppr(HEAR())
local function price(s)
  return PRICES[s] or totl
end
total = 0
TALK("Total: " .. price(size) .. total)
