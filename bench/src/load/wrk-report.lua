-- wrk script for the /predict load runs (bench/src/load/wrk.ts).
-- Usage: wrk ... -s wrk-report.lua <url> -- <body file>
-- Every request is a POST of the body file's exact bytes as application/json. When the run ends,
-- done() prints ONE line: the marker below, then a JSON object (latencies in microseconds), so the
-- TypeScript side never has to parse wrk's human-readable summary.

local MARKER = "WRK_REPORT_JSON "
-- Fixed percentiles for the latency distribution chart (wrk's histogram has 1 us resolution).
local PERCENTILES = { 1, 5, 10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90, 95, 97.5, 99, 99.5, 99.9, 99.99 }

-- setup() runs in the main Lua state once per thread; done() reads each thread's counter back.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

-- init() runs inside each thread's own Lua state before wrk.format() builds the request,
-- so setting method/body/headers here is what every request of that thread sends.
function init(args)
  local path = args[1]
  if path == nil then error("wrk-report.lua: pass the body file after --") end
  local file = assert(io.open(path, "rb"))
  wrk.body = file:read("*a")
  file:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  -- Global, not local: thread:get() only sees globals of the thread's state.
  non2xx = 0
end

-- wrk's own errors.status counts only status > 399; the harness wants every non-2xx answer.
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

-- JSON numbers only: NaN and infinities (an empty histogram) become null.
local function num(v)
  if v == nil or v ~= v or v == math.huge or v == -math.huge then return "null" end
  return string.format("%.15g", v)
end

function done(summary, latency, requests)
  local non2xx_total = 0
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + (tonumber(thread:get("non2xx")) or 0)
  end
  local points = {}
  for _, p in ipairs(PERCENTILES) do
    table.insert(points, string.format('{"p":%s,"us":%s}', num(p), num(latency:percentile(p))))
  end
  local e = summary.errors
  io.write(MARKER, string.format(
    '{"requests":%s,"duration_us":%s,"bytes":%s,' ..
    '"errors":{"connect":%s,"read":%s,"write":%s,"status":%s,"timeout":%s},"non2xx":%s,' ..
    '"latency_us":{"p50":%s,"p99":%s,"p999":%s,"mean":%s,"stdev":%s,"min":%s,"max":%s},' ..
    '"distribution":[%s]}\n',
    num(summary.requests), num(summary.duration), num(summary.bytes),
    num(e.connect), num(e.read), num(e.write), num(e.status), num(e.timeout), num(non2xx_total),
    num(latency:percentile(50)), num(latency:percentile(99)), num(latency:percentile(99.9)),
    num(latency.mean), num(latency.stdev), num(latency.min), num(latency.max),
    table.concat(points, ",")))
end
