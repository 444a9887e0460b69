-- wrk script for scripts/bench.py: one summary line with requests, latency percentiles (in
-- microseconds) and errors, counting every answer that is not 2xx as an error (wrk itself
-- counts only 4xx and 5xx, so a redirect to the sign-in page would pass unnoticed).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d "
      .. "connect=%d read=%d write=%d timeout=%d status=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout, e.status, bad))
end
