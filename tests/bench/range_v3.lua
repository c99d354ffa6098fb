-- wrk script: the same v3 range that `etcd_bench range` sends through libetcd:
-- POST /v3/kv/range with {"key":base64}, as Jansson's compact form writes it.
-- run-bench.sh sets BENCH_KEY64 (the key in base64) and passes the /v3/kv/range URL.
local key = os.getenv("BENCH_KEY64") or "L2JlbmNoL2tleQ=="
wrk.method = "POST"
wrk.body = '{"key":"' .. key .. '"}'
wrk.headers["Content-Type"] = "application/json"
