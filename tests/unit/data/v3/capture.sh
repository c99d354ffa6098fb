#!/usr/bin/env bash
# Capture the v3 gateway's answers that tests/unit/test_v3_fast.c decodes, from a real
# etcd 3.4 (any etcd with the /v3 gateway) on an empty data dir:
#   capture.sh http://127.0.0.1:PORT
# Writes NAME.json (body) and NAME.status (HTTP status) into this directory. The
# checked-in files came from etcd 3.4.23. Range, put and delete answers of every common
# shape, and a few others (errors, txn, lease) that the fast decoder must leave to the
# full one.
set -euo pipefail
ep=${1:?usage: capture.sh ENDPOINT}
out=$(cd "$(dirname "$0")" && pwd)

b64() { printf '%s' "$1" | base64 -w0; }
b64f() { printf '%b' "$1" | base64 -w0; } # \xHH escapes: binary bytes

cap() { # cap NAME PATH JSON
    curl -sS -o "$out/$1.json" -w '%{http_code}\n' -X POST \
        -H 'Content-Type: application/json' -d "$3" "$ep$2" >"$out/$1.status"
}

p=$(b64 /cap/)
pend=$(b64 /cap0) # the prefix's range end: '/' + 1 = '0'
cap range_missing /v3/kv/range "{\"key\":\"$(b64 /cap/none)\"}"
cap put_first /v3/kv/put "{\"key\":\"$(b64 /cap/a)\",\"value\":\"$(b64 one)\"}"
cap put_prev_kv_new /v3/kv/put \
    "{\"key\":\"$(b64 /cap/b)\",\"value\":\"$(b64 two)\",\"prev_kv\":true}"
cap put_prev_kv /v3/kv/put \
    "{\"key\":\"$(b64 /cap/a)\",\"value\":\"$(b64 uno)\",\"prev_kv\":true}"
cap range_one /v3/kv/range "{\"key\":\"$(b64 /cap/a)\"}"
cap put_binary /v3/kv/put \
    "{\"key\":\"$(b64f '/cap/bin\x01')\",\"value\":\"$(b64f 'a\x00b\xff\x00')\"}"
cap put_empty /v3/kv/put "{\"key\":\"$(b64 /cap/empty)\"}"
cap range_empty_value /v3/kv/range "{\"key\":\"$(b64 /cap/empty)\"}"
cap range_binary /v3/kv/range "{\"key\":\"$(b64f '/cap/bin\x01')\"}"
lease=$(curl -sS -X POST -d '{"TTL":600}' "$ep/v3/lease/grant" |
    sed -n 's/.*"ID":"\([0-9]*\)".*/\1/p')
cap lease_grant /v3/lease/grant "{\"TTL\":600,\"ID\":\"$((lease + 1))\"}"
cap put_lease /v3/kv/put \
    "{\"key\":\"$(b64 /cap/leased)\",\"value\":\"$(b64 l)\",\"lease\":\"$lease\"}"
cap put_lease_prev_kv /v3/kv/put \
    "{\"key\":\"$(b64 /cap/leased)\",\"value\":\"$(b64 l2)\",\"lease\":\"$lease\",\"prev_kv\":true}"
for i in 0 1 2 3 4 5 6 7 8 9 10 11; do
    cap put_many /v3/kv/put "{\"key\":\"$(b64 "/cap/m/$i")\",\"value\":\"$(b64 "v$i")\"}"
done
cap range_many /v3/kv/range "{\"key\":\"$p\",\"range_end\":\"$pend\"}"
cap range_keys_only /v3/kv/range "{\"key\":\"$p\",\"range_end\":\"$pend\",\"keys_only\":true}"
cap range_count_only /v3/kv/range \
    "{\"key\":\"$p\",\"range_end\":\"$pend\",\"count_only\":true}"
cap range_more /v3/kv/range "{\"key\":\"$p\",\"range_end\":\"$pend\",\"limit\":\"3\"}"
cap range_descend /v3/kv/range \
    "{\"key\":\"$p\",\"range_end\":\"$pend\",\"sort_order\":\"DESCEND\",\"sort_target\":\"MOD\"}"
cap range_old_rev /v3/kv/range "{\"key\":\"$(b64 /cap/a)\",\"revision\":\"2\"}"
cap range_all /v3/kv/range '{"key":"AA==","range_end":"AA=="}'
cap range_serializable /v3/kv/range "{\"key\":\"$(b64 /cap/a)\",\"serializable\":true}"
cap delete_missing /v3/kv/deleterange "{\"key\":\"$(b64 /cap/none)\"}"
cap delete_one /v3/kv/deleterange "{\"key\":\"$(b64 /cap/b)\"}"
cap delete_prev_kv /v3/kv/deleterange \
    "{\"key\":\"$(b64 /cap/m/1)\",\"range_end\":\"$(b64 /cap/m/3)\",\"prev_kv\":true}"
cap delete_prev_kv_lease /v3/kv/deleterange \
    "{\"key\":\"$(b64 /cap/leased)\",\"prev_kv\":true}"
cap delete_prefix /v3/kv/deleterange "{\"key\":\"$(b64 /cap/m/)\",\"range_end\":\"$(b64 /cap/m0)\"}"
# Answers the fast decoder leaves to the full one.
cap txn /v3/kv/txn "{\"compare\":[{\"key\":\"$(b64 /cap/a)\",\"target\":\"VERSION\",\
\"result\":\"GREATER\",\"version\":\"0\"}],\"success\":[{\"request_range\":{\"key\":\"$(b64 /cap/a)\"}}]}"
cap compact /v3/kv/compaction '{"revision":"3"}'
cap error_compacted /v3/kv/range "{\"key\":\"$(b64 /cap/a)\",\"revision\":\"2\"}"
cap error_bad_json /v3/kv/range '{"key":'
cap error_empty_key /v3/kv/put '{"value":"eA=="}'
echo "captured into $out"
