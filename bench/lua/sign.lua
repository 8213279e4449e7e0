-- POST the sign form with a fresh e-mail each time: <tag>-<thread>-<n>@<domain>.
-- The view echoes the address in its signed cookie, so each 303 names its own row.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local path, tag = os.getenv("BENCH_PATH"), os.getenv("BENCH_TAG") or "s"
local domain = os.getenv("BENCH_DOMAIN") or "sign.bench"
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded", ["Origin"] = ORIGIN }

function request()
  n = n + 1
  local body = string.format("name=Bench+Signer&country=GB&email=%s-%d-%d%%40%s", tag, tid, n, domain)
  -- Each signer from an address of their own, as our proxy reports it (TRUSTED_PROXY_COUNT=1):
  -- a surge is many people signing once, not one address signing thousands of times.
  headers["X-Forwarded-For"] = string.format("%d.%d.%d.%d", (10 + tid) % 256,
    math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  return wrk.format("POST", path, headers, body)
end

function on_response(status, headers)
  if status == 303 then
    local cookie = headers["Set-Cookie"] or headers["set-cookie"]  -- granian writes lower case
    local who = cookie and string.match(cookie, 'signed_as="?([%w%-]+)')
    if who then tracked[#tracked + 1] = who else unattributed = unattributed + 1 end
  end
end
