-- POST the sign form with a fresh e-mail each time: <tag>-<thread>-<n>@<domain>.
-- wrk does not say which request an answer belongs to, so each thread counts its 303s and
-- the exact check matches them to the rows of its addresses (<tag>-<thread>-%@<domain>).
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
  if status == 303 then answered = answered + 1 end
end

prefix = function() return string.format("%s-%d-", tag, tid) end
