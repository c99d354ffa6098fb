-- wrk script: the same PUT that `etcd_bench set` sends through libetcd.
-- The value comes from BENCH_VALUE (run-bench.sh sets it); it must need no escaping.
local value = os.getenv("BENCH_VALUE")
    or "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
wrk.method = "PUT"
wrk.body = "value=" .. value
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
