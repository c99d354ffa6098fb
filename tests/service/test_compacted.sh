#!/usr/bin/env bash
# The v3 counterpart of test_cleared.sh: compaction forced with the compaction call
# while the watcher is stopped. The watcher (api = v3) is stopped with SIGSTOP; its
# etcd member is restarted (so that its watch streams are gone: on SIGCONT they
# reconnect from the revision after the last event they saw); more than 1,000 changes
# are made and the history is compacted up to the newest revision; then SIGCONT. The
# reconnected watches find their revision compacted, the watcher re-reads, renders the
# final state and keeps following changes. Twice, the second time with the changes in
# another prefix than the one whose change must be picked up. A third round leaves the
# streams up and makes changes big enough to fill them: whether etcd then reports the
# compaction or the streams carry every event, the files end in the final state.
#
# usage: test_compacted.sh PATH/TO/etcdwatch
set -uo pipefail
SVC_NAME=service
SVC_TIME_LIMIT=${SVC_TIME_LIMIT:-180}
SVC_API=v3
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

svc_start_etcd comp 1
C=$SVC_DIR/confdir
OUT=$SVC_DIR/out
mkdir -p "$C/conf.d" "$C/templates" "$OUT"
# the values' lengths: round 3's values are 32 KiB, not worth printing
cat >"$C/templates/keys.tmpl" <<'EOF'
# {{len (gets "/*")}} keys
{{range gets "/*"}}{{base .Key}}={{printf "%.40s" .Value}} {{len .Value}}
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
check "the watcher (api = v3) renders both files at start" \
    wait_for 10 eval 'has_text "$OUT/a.txt" "k000=a0 2" && has_text "$OUT/b.txt" "k000=b0 2"'

# expect PREFIX: what keys.tmpl renders for PREFIX, from a linearizable range.
expect() {
    "$PY" - "$EP" "$1" <<'PY'
import base64, json, sys, urllib.request
p = sys.argv[2] + "/"
b64 = lambda s: base64.b64encode(s.encode()).decode()
body = json.dumps({"key": b64(p), "range_end": b64(p[:-1] + "0")}).encode()
with urllib.request.urlopen(sys.argv[1] + "/v3/kv/range", body, timeout=5) as r:
    kvs = json.load(r).get("kvs", [])
kv = sorted((base64.b64decode(x["key"]).decode(),
             base64.b64decode(x.get("value", "")).decode()) for x in kvs)
out = ["# %d keys" % len(kv)]
out += ["%s=%s %d" % (k.rsplit("/", 1)[1], v[:40], len(v)) for k, v in kv]
sys.stdout.write("\n".join(out + ["# end"]) + "\n")
PY
}

files_final() {
    expect /hist/a >"$SVC_DIR/expect-a.txt" &&
        expect /hist/b >"$SVC_DIR/expect-b.txt" &&
        same_file "$SVC_DIR/expect-a.txt" "$OUT/a.txt" &&
        same_file "$SVC_DIR/expect-b.txt" "$OUT/b.txt"
}

# round N CHANGES_A CHANGES_B RESTART VALUE_BYTES: stop, change, compact, continue.
round() {
    local n=$1 ca=$2 cb=$3 restart=$4 size=$5 before start rev0 rev1
    rev0=$(v3_revision)
    kill -STOP "$W"
    if ((restart)); then
        member_kill comp 1
        member_restart comp 1
        wait_for 20 cluster_healthy comp ||
            not_ok "round $n: the member is healthy again after its restart"
    fi
    if ((ca > 0)); then
        "$PY" "$SVC_HERE/writer.py" "$EP" /hist/a 50 "$ca" 100000 "r$n" 60 v3 "$size" \
            >/dev/null
    fi
    if ((cb > 0)); then
        "$PY" "$SVC_HERE/writer.py" "$EP" /hist/b 50 "$cb" 100000 "s$n" 60 v3 "$size" \
            >/dev/null
    fi
    del /hist/a/k000 # a delete among them
    rev1=$(v3_revision)
    check "round $n: $((rev1 - rev0)) changes made while the watcher was stopped" \
        test $((rev1 - rev0)) -gt "$(((ca + cb) / 2))"
    check "round $n: history compacted up to revision $rev1" compact "$rev1"
    before=$(grep -c 'compacted' "$SVC_DIR/watcher.log")
    start=$(now_ms)
    kill -CONT "$W"
    if wait_for 15 files_final; then
        ok "round $n: after SIGCONT the files hold the final state in ${WAITED_MS} ms"
    else
        not_ok "round $n: after SIGCONT the files hold the final state (waited ${WAITED_MS} ms)"
        diff "$SVC_DIR/expect-a.txt" "$OUT/a.txt" | head -5 | sed 's/^/    | a: /'
        diff "$SVC_DIR/expect-b.txt" "$OUT/b.txt" | head -5 | sed 's/^/    | b: /'
        show_log watcher 20
    fi
    if ((restart)); then
        check "round $n: the watcher logged that its watch's revision was compacted" \
            test "$(grep -c 'compacted' "$SVC_DIR/watcher.log")" -gt "$before"
    else
        echo "    | round $n: compaction reported $(($(grep -c 'compacted' \
            "$SVC_DIR/watcher.log") - before)) times (0: the streams carried every event)"
    fi
    put /hist/a/after$n "later-$n"
    put /hist/b/after$n "later-$n"
    if wait_for 5 eval 'has_text "$OUT/a.txt" "after$n=later-$n" && has_text "$OUT/b.txt" "after$n=later-$n"'; then
        ok "round $n: then a new change renders at once (${WAITED_MS} ms): the watches resumed"
    else
        not_ok "round $n: then a new change renders at once: the watches resumed"
        show_log watcher 20
    fi
}

round 1 1200 0 1 0
round 2 0 1100 1 0
round 3 300 0 0 32768
check "the watcher is still running" alive "$W"
check "no stage files left" test -z "$(find "$OUT" -name '.*' -type f)"
stop_pid "$W" 2
check "SIGTERM: exit 0 in ${STOP_MS} ms" test "$STOP_STATUS" = 0
svc_finish
