-- wrk script: POSTs one AdmissionReview (path in $REVIEW) and prints requests/s, p50, p99 and errors.
local f = assert(io.open(os.getenv("REVIEW"), "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("requests/s %.1f  p50 %.2f ms  p99 %.2f ms  errors %d  non-2xx %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors, summary.errors.status))
end
