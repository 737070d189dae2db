-- wrk script for bench/load.py. LOAD_MODE: ping | feed | poll | complete | answer.
-- feed: GET the member feed, rotating over the tokens of many members.
-- poll: the same feed as a phone's delta poll that finds nothing new (updated_since = LOAD_SINCE,
--       the X-Sync-Cursor of a response taken just before the run).
-- complete: POST complete on the busy member's assignments, each thread its own ids.
-- answer: POST a survey response (LOAD_SURVEY, body LOAD_BODY), rotating over the tokens so
--         that each person answers several times; 201s and 409s are counted apart.
local mode = os.getenv("LOAD_MODE")
local tokens, ids = {}, {}
local threads = 0
local all_threads = {}
local n = 0
created, conflicts, others = 0, 0, 0

function setup(thread)
  thread:set("index", threads)
  threads = threads + 1
  table.insert(all_threads, thread)
end

function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status == 409 then conflicts = conflicts + 1
  else others = others + 1 end
end

function init(args)
  for line in io.lines(os.getenv("LOAD_TOKENS")) do tokens[#tokens + 1] = line end
  if mode == "complete" then
    for line in io.lines(os.getenv("LOAD_IDS")) do ids[#ids + 1] = line end
  end
  stride = tonumber(os.getenv("LOAD_THREADS"))
  survey_body = os.getenv("LOAD_BODY")
  poll_path = "/api/v1/assignments/?mine=true&page_size=20&updated_since=" .. (os.getenv("LOAD_SINCE") or "")
  survey_path = "/api/v1/surveys/" .. (os.getenv("LOAD_SURVEY") or "0") .. "/responses/"
end

function request()
  n = n + 1
  if mode == "feed" then
    return wrk.format("GET", "/api/v1/assignments/?mine=true&page_size=20",
                      {Authorization = "Bearer " .. tokens[(n % #tokens) + 1]})
  elseif mode == "poll" then
    return wrk.format("GET", poll_path, {Authorization = "Bearer " .. tokens[(n % #tokens) + 1]})
  elseif mode == "complete" then
    local id = ids[((index + (n - 1) * stride) % #ids) + 1]
    return wrk.format("POST", "/api/v1/assignments/" .. id .. "/complete/",
                      {Authorization = "Bearer " .. tokens[1], ["Content-Type"] = "application/json"},
                      '{"evidence_url": "https://example.org/p/' .. id .. '", "note": ""}')
  elseif mode == "answer" then
    local token = tokens[((index + (n - 1) * stride) % #tokens) + 1]
    return wrk.format("POST", survey_path, {Authorization = "Bearer " .. token,
                      ["Content-Type"] = "application/json"}, survey_body)
  end
  return wrk.format("GET", "/bench/ping")
end

function done(summary, latency, requests)
  local e = summary.errors
  local c, k, o = 0, 0, 0
  for _, thread in ipairs(all_threads) do
    c = c + (thread:get("created") or 0)
    k = k + (thread:get("conflicts") or 0)
    o = o + (thread:get("others") or 0)
  end
  io.write(string.format(
    'LOAD {"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "created": %d, "conflicts": %d, "others": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), c, k, o))
end
