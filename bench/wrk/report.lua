-- wrk script for bench/harness.py: optional pipelining, and one JSON line
-- at the end with what the harness records.
--
--   wrk ... -s report.lua URL -- DEPTH
--
-- DEPTH > 1 sends DEPTH requests in each write (HTTP/1.1 pipelining). wrk
-- then counts every response as a request, but measures latency once per
-- batch: pipelined latencies are those of a whole batch.

local depth = 1
local batch = nil

function init(args)
    depth = tonumber(args[1] or "1") or 1
    if depth > 1 then
        local one = wrk.format("GET", wrk.path)
        batch = string.rep(one, depth)
    end
end

function request()
    if batch then
        return batch
    end
    return wrk.format("GET", wrk.path)
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        '{"requests":%d,"duration_us":%d,"bytes":%d,' ..
        '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
        '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
        summary.requests, summary.duration, summary.bytes,
        e.connect, e.read, e.write, e.status, e.timeout,
        latency.mean, latency:percentile(50), latency:percentile(90),
        latency:percentile(99), latency:percentile(99.9), latency.max))
end
