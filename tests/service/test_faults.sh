#!/usr/bin/env bash
# Correctness under faults, on a three-member cluster: while 5,000 writes to 200 keys
# under two prefixes run (4 writers in parallel), members are killed with SIGKILL and
# restarted, one at a time and once two together (quorum lost); the watcher, given all
# three endpoints, keeps running, and within 2 seconds of the last write its files equal
# the final etcd state. Every file change is followed by its reload hook, which saw the
# complete file; the last reload saw the final file.
#
# With SVC_API=v3 the same on etcd's v3 API: the writes go through the v3 gateway and
# the watcher runs with `api = v3` (its watch streams resume across the kills).
#
# usage: [SVC_API=v3] test_faults.sh PATH/TO/etcdwatch
set -uo pipefail
SVC_NAME=service
SVC_TIME_LIMIT=${SVC_TIME_LIMIT:-240}
SVC_LOG_TIMES=1 # the post-mortem of a timing failure needs them
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

WRITES=${FAULT_WRITES:-5000}
WRITERS=4
RATE=${FAULT_RATE:-80} # per writer and second: 5,000 writes take about 16 s

svc_start_etcd fault 3
C=$SVC_DIR/confdir
OUT=$SVC_DIR/out
mkdir -p "$C/conf.d" "$C/templates" "$OUT"

# The hook: checks the file it is given is complete (its header's count of lines, then
# "# end"), and logs its checksum.
cat >"$SVC_DIR/hook.sh" <<'EOF'
f=$1
n=$(sed -n '1s/^# \([0-9]*\) keys$/\1/p' "$f")
lines=$(wc -l <"$f")
state=INCOMPLETE
if [ -n "$n" ] && [ "$(tail -n 1 "$f")" = "# end" ] && [ "$lines" -eq $((n + 2)) ]; then
    state=complete
fi
echo "$(sha256sum <"$f" | cut -c1-64) $state $(date +%s.%N)" >>"$2"
EOF
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
prefix = "/fault/$p"
keys = ["/"]
reload_cmd = "sh $SVC_DIR/hook.sh {{.dest}} $SVC_DIR/reloads-$p.log"
EOF
done
write_conf "$SVC_DIR/etcdwatch.conf" "$EPS" "$C" "log_level=info"
echo "    | API: $SVC_API"
put /fault/a/k000 start-a
put /fault/b/k000 start-b

start_watcher watcher run --config "$SVC_DIR/etcdwatch.conf"
W=$WPID
check "the watcher renders both files at start" \
    wait_for 10 eval 'has_text "$OUT/a.txt" start-a && has_text "$OUT/b.txt" start-b'

# ---- writes and faults -----------------------------------------------------------
per=$((WRITES / WRITERS))
wpids=()
for i in $(seq 1 $WRITERS); do
    "$PY" "$SVC_HERE/writer.py" "$EPS" /fault/a,/fault/b 100 "$per" "$RATE" "$i" 120 \
        "$SVC_API" >"$SVC_DIR/writer$i.out" 2>&1 &
    wpids+=($!)
    svc_pids+=($!)
done
t0=$(now_ms)
at() { # at SECONDS: sleep until t0 + SECONDS
    local due=$((t0 + $(secs_ms "$1")))
    local left=$((due - $(now_ms)))
    ((left > 0)) && sleep "$((left / 1000)).$(printf '%03d' $((left % 1000)))"
}
faults=()
fault() { # fault WHAT: log one fault with its time
    faults+=("$(($(now_ms) - t0)) ms: $*")
}
at 2.0
l=$(leader_index fault)
l=${l:-1}
member_kill fault "$l"
fault "SIGKILL member $l (the leader)"
at 3.5
member_restart fault "$l"
fault "restart member $l"
at 5.5
c=$(connected_members fault "$W")
c=${c%% *}
c=${c:-1}
member_kill fault "$c"
fault "SIGKILL member $c (the one the watcher is connected to)"
at 7.0
member_restart fault "$c"
fault "restart member $c"
at 9.0
c=$(connected_members fault "$W")
c=${c%% *}
c=${c:-2}
d=$((c % 3 + 1))
member_kill fault "$c"
member_kill fault "$d"
fault "SIGKILL members $c (the watcher's) and $d: quorum lost"
at 10.5
member_restart fault "$c"
member_restart fault "$d"
fault "restart members $c and $d"
at 12.5
l=$(leader_index fault)
l=${l:-3}
member_kill fault "$l"
fault "SIGKILL member $l (the leader)"
at 13.5
member_restart fault "$l"
fault "restart member $l"

all_written=1
for p in "${wpids[@]}"; do
    wait "$p" || all_written=0
done
writes_done=$(($(now_ms) - t0))
for f in "${faults[@]}"; do
    echo "    | $f"
done
cat "$SVC_DIR"/writer*.out | sed 's/^/    | /'
check "all $WRITES writes accepted by etcd (4 writers, retried across endpoints) in ${writes_done} ms" \
    test "$all_written" = 1
last_ms=0
for i in $(seq 1 $WRITERS); do
    t=$(sed -n 's/.*last_ms=\([0-9]*\).*/\1/p' "$SVC_DIR/writer$i.out")
    ((${t:-0} > last_ms)) && last_ms=$t
done
check "the cluster is healthy again" wait_for 20 cluster_healthy fault
check "the watcher kept running through the faults" alive "$W"

# ---- the files equal the final state within 2 s of the last write -----------------
expect_keys "$EPS" /fault/a >"$SVC_DIR/expect-a.txt"
expect_keys "$EPS" /fault/b >"$SVC_DIR/expect-b.txt"
check "the final state has keys under both prefixes ($(head -n 1 "$SVC_DIR/expect-a.txt"), $(head -n 1 "$SVC_DIR/expect-b.txt"))" \
    eval '[[ -s $SVC_DIR/expect-a.txt && -s $SVC_DIR/expect-b.txt ]]'
both_equal() {
    same_file "$SVC_DIR/expect-a.txt" "$OUT/a.txt" && same_file "$SVC_DIR/expect-b.txt" "$OUT/b.txt"
}
wait_for 10 both_equal
equal_at=$(now_ms)
lag=$((equal_at - last_ms))
if both_equal && ((lag <= 2000)); then
    ok "files equal the final etcd state ${lag} ms after the last write (limit 2000 ms)"
else
    not_ok "files equal the final etcd state within 2000 ms of the last write (took ${lag} ms)"
    diff "$SVC_DIR/expect-a.txt" "$OUT/a.txt" | head -5 | sed 's/^/    | a: /'
    diff "$SVC_DIR/expect-b.txt" "$OUT/b.txt" | head -5 | sed 's/^/    | b: /'
    show_log watcher 30
fi

# ---- every change reloaded, with the complete file ---------------------------------
sleep 0.5 # a reload still running
for p in a b; do
    log=$SVC_DIR/reloads-$p.log
    updates=$(grep -c "$p.toml: .*$p.txt updated" "$SVC_DIR/watcher.log")
    reloads=$(wc -l <"$log")
    check "$p: every file version was reloaded ($updates written, $reloads reloads)" \
        test "$updates" = "$reloads"
    check "$p: every reload saw a complete file" \
        test "$(awk '$2 != "complete"' "$log" | wc -l)" = 0
    check "$p: consecutive reloads saw different files (each reload is of a new version)" \
        test "$(cut -d' ' -f1 "$log" | uniq | wc -l)" = "$reloads"
    check "$p: the last reload saw the final file" \
        test "$(tail -n 1 "$log" | cut -d' ' -f1)" = "$(sha256sum <"$OUT/$p.txt" | cut -c1-64)"
done
check "no stage files left" test -z "$(find "$OUT" -name '.*' -type f)"

stop_pid "$W" 2
check "SIGTERM after the faults: exit 0 in ${STOP_MS} ms" test "$STOP_STATUS" = 0
svc_finish
