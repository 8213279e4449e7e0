-- Shared by the bench's wrk scripts (loaded with dofile): status counts, and a JSON
-- summary written by done() to $BENCH_OUT (the e-mails answered 303 to $BENCH_OUT.emails).
-- wrk runs closed-loop here (as fast as answered); fixed rates use bench/paced.py instead.

NTHREADS = tonumber(os.getenv("BENCH_THREADS") or "1")
ORIGIN = os.getenv("BENCH_ORIGIN")
statuses, n, answered = {}, 0, 0

local threads, started = {}, 0
function setup(thread)
  started = started + 1
  thread:set("tid", started)
  table.insert(threads, thread)
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
    -- A script that signs says, per thread, how many 303s its addresses got (sign.lua).
    local mine = t:get("answered") or 0
    if mine > 0 and os.getenv("BENCH_DOMAIN") then
      emails = emails or io.open(path .. ".emails", "w")
      emails:write(string.format("#count %s-%d- %d %s\n", os.getenv("BENCH_TAG") or "s",
        t:get("tid"), mine, os.getenv("BENCH_DOMAIN")))
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
