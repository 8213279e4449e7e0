-- Shared by the bench's wrk scripts (loaded with dofile): optional pacing, status counts,
-- and a JSON summary written by done() to $BENCH_OUT (e-mails answered 303 to .emails).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

NTHREADS = tonumber(os.getenv("BENCH_THREADS") or "1")
ORIGIN = os.getenv("BENCH_ORIGIN")
statuses, tracked, n, unattributed = {}, {}, 0, 0

local threads, started = {}, 0
function setup(thread)
  started = started + 1
  thread:set("tid", started)
  table.insert(threads, thread)
end

-- A fixed rate (wrk2-like): each thread hands out send slots 1/rate apart to whichever
-- of its connections is free. Behind schedule, it catches up by at most one second.
local rate = tonumber(os.getenv("BENCH_RATE") or "0")
if rate > 0 then
  local interval, next_at = 1000 * NTHREADS / rate, nil
  function delay()
    local t = now_ms()
    if next_at == nil or next_at < t - 1000 then next_at = t end
    next_at = next_at + interval
    local d = next_at - t
    return d > 0 and math.floor(d) or 0
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if on_response then on_response(status, headers) end
end

function done(summary, latency, requests)
  local path = os.getenv("BENCH_OUT")
  local counts, emails, lost = {}, nil, 0
  for _, t in ipairs(threads) do
    for code, count in pairs(t:get("statuses") or {}) do
      counts[code] = (counts[code] or 0) + count
    end
    lost = lost + (t:get("unattributed") or 0)
    local list = t:get("tracked") or {}
    if #list > 0 then
      emails = emails or io.open(path .. ".emails", "w")
      for _, who in ipairs(list) do emails:write(who, "\n") end
    end
  end
  if emails then emails:close() end
  local parts = {}
  for code, count in pairs(counts) do parts[#parts + 1] = string.format('"%d": %d', code, count) end
  local e = summary.errors
  local out = io.open(path, "w")
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, '
    .. '"timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"mean_us": %.1f, "unattributed": %d, "statuses": {%s}}',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, lost, table.concat(parts, ", ")))
  out:close()
end
