#!/usr/bin/env bash
# Forced 401 (etcd's "event in requested index is outdated and cleared"): the watcher is
# stopped with SIGSTOP, more than 1,000 changes are made (etcd keeps the last 1,000
# events), and it is continued with SIGCONT: it re-reads and renders the final state,
# then keeps following changes. Twice, the second time with the changes in another
# prefix than the one whose change must be picked up.
#
# usage: test_cleared.sh PATH/TO/etcdwatch
set -uo pipefail
SVC_NAME=service
SVC_TIME_LIMIT=${SVC_TIME_LIMIT:-180}
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

svc_start_etcd hist 1
C=$SVC_DIR/confdir
OUT=$SVC_DIR/out
mkdir -p "$C/conf.d" "$C/templates" "$OUT"
cat >"$C/templates/keys.tmpl" <<'EOF'
# {{len (gets "/*")}} keys
{{range gets "/*"}}{{base .Key}}={{.Value}}
{{end}}# end
EOF
for p in a b; do
    cat >"$C/conf.d/$p.toml" <<EOF
[template]
src = "keys.tmpl"
dest = "$OUT/$p.txt"
prefix = "/hist/$p"
keys = ["/"]
EOF
done
write_conf "$SVC_DIR/etcdwatch.conf" "$EP" "$C"
put /hist/a/k000 a0
put /hist/b/k000 b0
start_watcher watcher run --config "$SVC_DIR/etcdwatch.conf"
W=$WPID
check "the watcher renders both files at start" \
    wait_for 10 eval 'has_text "$OUT/a.txt" a0 && has_text "$OUT/b.txt" b0'

files_final() {
    expect_keys "$EP" /hist/a >"$SVC_DIR/expect-a.txt" &&
        expect_keys "$EP" /hist/b >"$SVC_DIR/expect-b.txt" &&
        same_file "$SVC_DIR/expect-a.txt" "$OUT/a.txt" &&
        same_file "$SVC_DIR/expect-b.txt" "$OUT/b.txt"
}

# round N CHANGES_A CHANGES_B: stop, change, continue, check.
round() {
    local n=$1 ca=$2 cb=$3 before start idx0 idx1
    idx0=$(curl -s -m 5 -o /dev/null -D - "$EP/v2/keys/hist" | tr -d '\r' |
        sed -n 's/^X-Etcd-Index: //ip')
    kill -STOP "$W"
    if ((ca > 0)); then
        "$PY" "$SVC_HERE/writer.py" "$EP" /hist/a 50 "$ca" 100000 "r$n" 60 >/dev/null
    fi
    if ((cb > 0)); then
        "$PY" "$SVC_HERE/writer.py" "$EP" /hist/b 50 "$cb" 100000 "s$n" 60 >/dev/null
    fi
    del /hist/a/k000 # a delete among them
    idx1=$(curl -s -m 5 -o /dev/null -D - "$EP/v2/keys/hist" | tr -d '\r' |
        sed -n 's/^X-Etcd-Index: //ip')
    check "round $n: $((idx1 - idx0)) changes made while the watcher was stopped (> 1000)" \
        test $((idx1 - idx0)) -gt 1000
    before=$(grep -c 'fell behind' "$SVC_DIR/watcher.log")
    start=$(now_ms)
    kill -CONT "$W"
    if wait_for 10 files_final; then
        ok "round $n: after SIGCONT the files hold the final state in ${WAITED_MS} ms"
    else
        not_ok "round $n: after SIGCONT the files hold the final state (waited ${WAITED_MS} ms)"
        diff "$SVC_DIR/expect-a.txt" "$OUT/a.txt" | head -5 | sed 's/^/    | a: /'
        diff "$SVC_DIR/expect-b.txt" "$OUT/b.txt" | head -5 | sed 's/^/    | b: /'
        show_log watcher 20
    fi
    check "round $n: the watcher logged that its watch fell behind etcd's history" \
        test "$(grep -c 'fell behind' "$SVC_DIR/watcher.log")" -gt "$before"
    put /hist/a/after$n "later-$n"
    put /hist/b/after$n "later-$n"
    if wait_for 3 eval 'has_text "$OUT/a.txt" "after$n=later-$n" && has_text "$OUT/b.txt" "after$n=later-$n"'; then
        ok "round $n: then a new change renders at once (${WAITED_MS} ms): the watches resumed"
    else
        not_ok "round $n: then a new change renders at once: the watches resumed"
        show_log watcher 20
    fi
}

round 1 1200 0
round 2 0 1100
check "the watcher is still running" alive "$W"
check "no stage files left" test -z "$(find "$OUT" -name '.*' -type f)"
stop_pid "$W" 2
check "SIGTERM: exit 0 in ${STOP_MS} ms" test "$STOP_STATUS" = 0
svc_finish
