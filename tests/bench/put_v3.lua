-- wrk script: the same v3 put that `etcd_bench put` sends through libetcd:
-- POST /v3/kv/put with {"key":base64,"value":base64}, as Jansson's compact form writes it.
-- run-bench.sh sets BENCH_KEY64 and BENCH_VALUE64 (base64) and passes the /v3/kv/put URL.
local key = os.getenv("BENCH_KEY64") or "L2JlbmNoL2tleQ=="
local value = os.getenv("BENCH_VALUE64")
    or "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg=="
wrk.method = "POST"
wrk.body = '{"key":"' .. key .. '","value":"' .. value .. '"}'
wrk.headers["Content-Type"] = "application/json"
