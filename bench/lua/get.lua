-- GET the comma-separated $BENCH_PATHS in turn, as an anonymous visitor (no cookies).
-- BENCH_UNIQUE=1 adds a fresh query string to each request, so no cache can answer it.
-- BENCH_GZIP=1 asks for gzip as every browser does (Accept-Encoding: gzip, deflate, br).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local paths, unique = {}, os.getenv("BENCH_UNIQUE") == "1"
local headers = {}
if os.getenv("BENCH_GZIP") == "1" then headers["Accept-Encoding"] = "gzip, deflate, br" end
for p in string.gmatch(os.getenv("BENCH_PATHS"), "[^,]+") do paths[#paths + 1] = p end

function request()
  n = n + 1
  local path = paths[(n % #paths) + 1]
  if unique then path = string.format("%s?source=b%d-%d", path, tid, n) end
  return wrk.format("GET", path, headers)
end
