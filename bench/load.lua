-- wrk script for bench/load.py. LOAD_MODE: ping | feed | complete.
-- feed: GET the member feed, rotating over the tokens of many members.
-- complete: POST complete on the busy member's assignments, each thread its own ids.
local mode = os.getenv("LOAD_MODE")
local tokens, ids = {}, {}
local threads = 0
local n = 0

function setup(thread)
  thread:set("index", threads)
  threads = threads + 1
end

function init(args)
  for line in io.lines(os.getenv("LOAD_TOKENS")) do tokens[#tokens + 1] = line end
  if mode == "complete" then
    for line in io.lines(os.getenv("LOAD_IDS")) do ids[#ids + 1] = line end
  end
  stride = tonumber(os.getenv("LOAD_THREADS"))
end

function request()
  n = n + 1
  if mode == "feed" then
    return wrk.format("GET", "/api/v1/assignments/?mine=true&page_size=20",
                      {Authorization = "Bearer " .. tokens[(n % #tokens) + 1]})
  elseif mode == "complete" then
    local id = ids[((index + (n - 1) * stride) % #ids) + 1]
    return wrk.format("POST", "/api/v1/assignments/" .. id .. "/complete/",
                      {Authorization = "Bearer " .. tokens[1], ["Content-Type"] = "application/json"},
                      '{"evidence_url": "https://example.org/p/' .. id .. '", "note": ""}')
  end
  return wrk.format("GET", "/bench/ping")
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'LOAD {"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
