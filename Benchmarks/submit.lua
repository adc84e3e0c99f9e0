-- Posts the consultation request in $BODY to /api/v1/consultations with the bearer token in $TOKEN,
-- each request with its own Idempotency-Key (so every request makes a new case).
local body = io.open(os.getenv("BODY"), "rb"):read("*a")
local token = os.getenv("TOKEN")
local counter = 0
local thread_id = 0
setup = function(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end
request = function()
  counter = counter + 1
  local key = string.format("load-%d-%d-%d-%08x", tid or 0, os.time(), counter, math.random(0, 0x7fffffff))
  return wrk.format("POST", "/api/v1/consultations", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = key,
  }, body)
end
