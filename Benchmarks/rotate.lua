-- Sends the requests listed in the file named by $URLS (one path per line), in turn.
-- $COOKIE, when set, is sent as the Cookie header (a signed-in user's pages).
local paths = {}
local headers = {}
if os.getenv("COOKIE") then headers["Cookie"] = os.getenv("COOKIE") end
for line in io.lines(os.getenv("URLS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], headers)
end
