-- POST /confirm/<token> for the pre-made tokens in $BENCH_TOKENS, each thread its share.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded", ["Origin"] = ORIGIN }
local tokens = {}

function init(args)
  local i = 0
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if i % NTHREADS == tid - 1 then tokens[#tokens + 1] = line end
    i = i + 1
  end
end

function request()
  n = n + 1
  local token = tokens[n]
  if token == nil then -- the pool ran out: stop rather than measure 410 pages
    wrk.thread:stop()
    token = tokens[#tokens]
  end
  return wrk.format("POST", "/confirm/" .. token, headers, "")
end
