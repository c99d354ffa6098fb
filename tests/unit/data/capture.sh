#!/usr/bin/env bash
# Capture the v2 response bodies the unit tests decode, from a real etcd 3.4 started
# with --enable-v2 on an empty data dir. Usage: capture.sh http://127.0.0.1:PORT
# Writes NAME.json (body) and NAME.status (HTTP status) into this directory, and
# NAME.headers for a few answers. The checked-in files came from etcd 3.4.23.
set -euo pipefail
ep=${1:?usage: capture.sh ENDPOINT}
out=$(cd "$(dirname "$0")" && pwd)
k="$ep/v2/keys"

cap() { # cap NAME curl-args...
    local name=$1
    shift
    curl -sS -o "$out/$name.json" -w '%{http_code}\n' "$@" >"$out/$name.status"
}
caph() { # like cap, also keeps the headers
    local name=$1
    shift
    curl -sS -D "$out/$name.headers" -o "$out/$name.json" -w '%{http_code}\n' "$@" \
        >"$out/$name.status"
}

cap health "$ep/health"
cap version "$ep/version"
caph get_root_empty "$k/"
cap set_ttl -X PUT "$k/cap/ttlkey" -d value=hello -d ttl=60
cap create -X PUT "$k/cap/created" -d value=one -d prevExist=false
cap create_exists -X PUT "$k/cap/created" -d value=two -d prevExist=false
cap create_in_order -X POST "$k/cap/queue" -d value=job1
cap update -X PUT "$k/cap/created" -d value=uno -d prevExist=true
cap update_missing -X PUT "$k/cap/missing" -d value=x -d prevExist=true
caph set_plain -X PUT "$k/cap/plain" -d value=v1
cap set_replace -X PUT "$k/cap/plain" -d value=v2
cap cas -X PUT "$k/cap/plain" -d value=v3 -d prevValue=v2
cap cas_failed -X PUT "$k/cap/plain" -d value=v4 -d prevValue=nope
cap cas_index_failed -X PUT "$k/cap/plain" -d value=v4 -d prevIndex=1
cap set_doomed -X PUT "$k/cap/doomed" -d value=bye
cap cad -X DELETE "$k/cap/doomed?prevValue=bye"
cap set_doomed2 -X PUT "$k/cap/doomed2" -d value=bye
cap delete -X DELETE "$k/cap/doomed2"
cap set_nested_b -X PUT "$k/cap/tree/b" -d value=B
cap set_nested_a -X PUT "$k/cap/tree/a" -d value=A
cap set_nested_deep -X PUT "$k/cap/tree/sub/deep" -d value=D
cap mkdir_empty -X PUT "$k/cap/tree/empty" -d dir=true
caph get_key "$k/cap/plain"
cap get_dir_sorted "$k/cap/tree?sorted=true"
cap get_dir_recursive "$k/cap/tree?sorted=true&recursive=true"
cap get_root "$k/?sorted=true"
cap get_missing "$k/cap/nothing"
cap set_on_dir -X PUT "$k/cap/tree" -d dir=true
cap in_order_under_key -X POST "$k/cap/plain" -d value=x
cap set_under_key -X PUT "$k/cap/plain/child" -d value=x
cap root_readonly -X DELETE "$k/?dir=true"
cap dir_not_empty -X DELETE "$k/cap/tree?dir=true"
cap ttl_nan -X PUT "$k/cap/bad" -d value=x -d ttl=abc
cap index_nan -X PUT "$k/cap/bad" -d value=x -d prevIndex=abc
cap invalid_field -X PUT "$k/cap/plain" -d value=x -d prevExist=maybe
cap refresh_with_value -X PUT "$k/cap/plain" -d value=x -d refresh=true -d ttl=5
cap refresh_without_ttl -X PUT "$k/cap/plain" -d refresh=true -d prevExist=true
cap cad_index_failed -X DELETE "$k/cap/plain?prevIndex=1"
cap create_dir -X PUT "$k/cap/newdir?dir=true&prevExist=false"
cap set_dir_existing -X PUT "$k/cap/newdir?dir=true"
cap update_dir_ttl -X PUT "$k/cap/newdir?dir=true&prevExist=true&ttl=300"
cap get_dir_ttl "$k/cap/newdir"
cap delete_dir -X DELETE "$k/cap/newdir?dir=true"
cap set_victim -X PUT "$k/cap/victim" -d value=key
cap update_dir_on_key -X PUT "$k/cap/victim?dir=true&prevExist=true&ttl=60"
cap refresh -X PUT "$k/cap/victim?ttl=120&refresh=true&prevExist=true"
cap set_deep_level -X PUT "$k/cap/w/x/y" -d value=deep
cap prevvalue_required -X PUT "$k/cap/plain" -d value=x -d prevValue=
cap set_utf8 -X PUT "$k/cap/sp%C3%A4ce%20%3F%23%25%2B%26" -d value=$'gr\xc3\xbc\xc3\x9f'
cap set_expiring -X PUT "$k/cap/expiring" -d value=soon -d ttl=1
cap watch_expire "$k/cap/expiring?wait=true"
idx=$(sed -n 's/.*"modifiedIndex":\([0-9]*\).*/\1/p' "$out/set_plain.json")
cap watch_history "$k/cap/plain?wait=true&waitIndex=$idx"
cap watch_recursive "$k/cap/w?wait=true&recursive=true&waitIndex=$(
    sed -n 's/.*"modifiedIndex":\([0-9]*\).*/\1/p' "$out/set_deep_level.json")"
cap delete_recursive -X DELETE "$k/cap/w?recursive=true&dir=true"
for i in $(seq 1 1100); do
    curl -sS -o /dev/null -X PUT "$k/cap/churn" -d value=$i
done
cap watch_cleared "$k/cap/plain?wait=true&waitIndex=1"
printf '{"action":"get","node":{"key":"/cap/plain","value":"v' >"$out/truncated.json"
printf '{"action":"get",}' >"$out/invalid.json"
printf 'not json at all' >"$out/garbage.json"
echo "captured into $out"
