#!/usr/bin/env bash
# Signals: SIGHUP with a new resource file makes the new file appear without a restart
# (and the running resources keep following changes; a broken configuration is refused
# and the running one kept); SIGTERM and SIGINT exit 0 within 1 second, also in the
# middle of a render (a slow check_cmd), leaving no stage file (.NAME*) in the dest
# directories and the dest either the old or the new complete file.
#
# usage: test_signals.sh PATH/TO/etcdwatch
set -uo pipefail
SVC_NAME=service
SVC_TIME_LIMIT=${SVC_TIME_LIMIT:-120}
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

svc_start_etcd sig 1
C=$SVC_DIR/confdir
OUT=$SVC_DIR/out
OUT2=$SVC_DIR/out2
mkdir -p "$C/conf.d" "$C/templates" "$OUT" "$OUT2"
printf 'value={{getv "/v"}}\n' >"$C/templates/v.tmpl"
cat >"$C/conf.d/one.toml" <<EOF
[template]
src = "v.tmpl"
dest = "$OUT/one.txt"
prefix = "/sig/one"
keys = ["/"]
EOF
put /sig/one/v one1
put /sig/two/v two1
write_conf "$SVC_DIR/etcdwatch.conf" "$EP" "$C"
start_watcher watcher run --config "$SVC_DIR/etcdwatch.conf"
W=$WPID
check "the watcher renders one.txt at start" wait_for 10 has_text "$OUT/one.txt" value=one1

# ---- SIGHUP with a new resource file --------------------------------------------------
# (a template that renders without error from no keys at all: rendered before its keys
# are read, it would write a wrong file and reload it)
printf 'values:{{range gets "/*"}} {{.Value}}{{end}}\n' >"$C/templates/list.tmpl"
cat >"$C/conf.d/two.conf" <<EOF
src = "list.tmpl";
dest = "$OUT2/two.txt";
prefix = "/sig/two";
keys = ["/"];
reload_cmd = "cat {{.dest}} >>$SVC_DIR/two-reloads.log";
EOF
kill -HUP "$W"
if wait_for 5 has_text "$OUT2/two.txt" "values: two1"; then
    ok "SIGHUP: the new resource's file appears ${WAITED_MS} ms later"
else
    not_ok "SIGHUP: the new resource's file appears"
    show_log watcher
fi
wait_for 3 test -s "$SVC_DIR/two-reloads.log"
check "SIGHUP: the new resource is first rendered from its keys (its first reload saw them)" \
    test "$(head -n 1 "$SVC_DIR/two-reloads.log" 2>/dev/null)" = "values: two1"
check "SIGHUP: the same process still runs (no restart)" alive "$W"
put /sig/two/v two2
check "SIGHUP: the new resource follows changes" wait_for 3 has_text "$OUT2/two.txt" "values: two2"
put /sig/one/v one2
check "SIGHUP: the old resource still follows changes (its watch kept)" \
    wait_for 3 has_text "$OUT/one.txt" value=one2

# SIGHUPs in a row while new prefixes are still being read (a prefix dropped with its
# read in flight), ten times: the watcher keeps running and ends in the right state.
for i in 1 2 3 4 5 6 7 8 9 10; do
    cat >"$C/conf.d/storm$i.toml" <<EOF
[template]
src = "v.tmpl"
dest = "$OUT2/storm$i.txt"
prefix = "/sig/storm$i"
keys = ["/"]
EOF
    put "/sig/storm$i/v" "storm$i"
    kill -HUP "$W"
    kill -HUP "$W"
    sleep 0.05
    ((i % 2)) && rm "$C/conf.d/storm$i.toml"
    kill -HUP "$W"
    sleep 0.05
done
storm_ok() {
    local i
    for i in 2 4 6 8 10; do
        has_text "$OUT2/storm$i.txt" "value=storm$i" || return 1
    done
}
check "SIGHUP storms with reads in flight: the watcher keeps running" alive "$W"
check "SIGHUP storms: the resources that stayed are rendered" wait_for 5 storm_ok
rm -f "$C"/conf.d/storm*.toml
kill -HUP "$W"

# A broken configuration is refused; the running one stays.
cp "$SVC_DIR/etcdwatch.conf" "$SVC_DIR/etcdwatch.conf.good"
echo "colour = blue" >>"$SVC_DIR/etcdwatch.conf"
n=$(wc -l <"$SVC_DIR/watcher.log")
kill -HUP "$W"
check "SIGHUP with an unknown key: ERROR naming etcdwatch.conf:LINE, running config kept" \
    wait_for 3 eval 'tail -n +$((n + 1)) "$SVC_DIR/watcher.log" | grep -q "etcdwatch.conf:[0-9]*: watcher.colour: unknown key"'
put /sig/one/v one3
check "after the refused SIGHUP the watcher still follows changes" \
    wait_for 3 has_text "$OUT/one.txt" value=one3
cp "$SVC_DIR/etcdwatch.conf.good" "$SVC_DIR/etcdwatch.conf"

# A removed resource file: SIGHUP drops it (its file stays, no more updates).
rm "$C/conf.d/two.conf"
kill -HUP "$W"
sleep 0.5
put /sig/two/v two3
put /sig/one/v one4
wait_for 3 has_text "$OUT/one.txt" value=one4
sleep 0.3
check "SIGHUP after removing a resource file: its dest is no longer updated" \
    has_text "$OUT2/two.txt" "values: two2"

# A reload that is failing and waiting for its retry survives a SIGHUP: the file is
# then in sync (nothing to render), but the reload is still owed.
cat >"$C/conf.d/owed.toml" <<EOF
[template]
src = "v.tmpl"
dest = "$OUT/owed.txt"
prefix = "/sig/owed"
keys = ["/"]
reload_cmd = "test ! -e $SVC_DIR/reload-fails && echo reloaded >>$SVC_DIR/owed.log"
EOF
touch "$SVC_DIR/reload-fails"
put /sig/owed/v owed1
n=$(wc -l <"$SVC_DIR/watcher.log")
kill -HUP "$W"
check "a resource whose reload fails: the failure is logged and retried" \
    wait_for 5 eval 'tail -n +$((n + 1)) "$SVC_DIR/watcher.log" | grep -q "owed.toml: reload retried"'
kill -HUP "$W"
sleep 0.3
check "SIGHUP: the new resource was not rendered before its keys were read (no getv error)" \
    eval '! grep -q "owed.toml: template:" "$SVC_DIR/watcher.log"'
rm -f "$SVC_DIR/reload-fails"
if wait_for 8 grep -q reloaded "$SVC_DIR/owed.log"; then
    ok "a failing reload still owed at SIGHUP is retried until it succeeds (${WAITED_MS} ms)"
else
    not_ok "a failing reload still owed at SIGHUP is retried until it succeeds"
    show_log watcher 8
fi
rm -f "$C/conf.d/owed.toml"
kill -HUP "$W"
sleep 0.3

# ---- SIGTERM with a reload still owed (held back by min_reload_interval) ------------
cat >"$C/conf.d/held.toml" <<EOF
[template]
src = "v.tmpl"
dest = "$OUT/held.txt"
prefix = "/sig/held"
keys = ["/"]
reload_cmd = "cat {{.dest}} >>$SVC_DIR/held.log"
min_reload_interval = 30
EOF
put /sig/held/v held1
start_watcher watcher-held run --config "$SVC_DIR/etcdwatch.conf"
WH=$WPID
check "min_reload_interval: the first version is reloaded at once" \
    wait_for 5 grep -qs value=held1 "$SVC_DIR/held.log"
put /sig/held/v held2
check "min_reload_interval: the next version is written, its reload held back" \
    wait_for 3 has_text "$OUT/held.txt" value=held2
stop_pid "$WH" 2
check "SIGTERM with a reload held back: exit 0 (${STOP_MS} ms)" test "$STOP_STATUS" = 0
check "SIGTERM with a reload held back: the reload runs before the exit (not lost)" \
    grep -q value=held2 "$SVC_DIR/held.log"
rm -f "$C/conf.d/held.toml"

# ---- SIGTERM when idle ------------------------------------------------------------
stop_pid "$W" 1
check "SIGTERM when idle: exit 0 within 1 s (${STOP_MS} ms, status $STOP_STATUS)" \
    eval '[[ $STOP_STATUS == 0 ]] && ((STOP_MS <= 1000))'
check "no stage files left" test -z "$(find "$OUT" "$OUT2" -name '.*' -type f)"

# ---- SIGTERM and SIGINT in the middle of a render (check_cmd takes 0.4 s) ----------
cat >"$C/conf.d/one.toml" <<EOF
[template]
src = "v.tmpl"
dest = "$OUT/one.txt"
prefix = "/sig/one"
keys = ["/"]
check_cmd = "sleep 0.4"
EOF
for sig in TERM INT; do
    start_watcher "watcher-$sig" run --config "$SVC_DIR/etcdwatch.conf"
    W=$WPID
    wait_for 10 has_text "$OUT/one.txt" value=one4 # in sync: no render
    sleep 0.3
    put /sig/one/v "mid-$sig"
    # the render is in progress once its stage file exists
    if ! wait_for 3 eval '[[ -n $(find "$OUT" -name ".one.txt*" -type f) ]]'; then
        not_ok "SIG$sig: a render started (its stage file appeared)"
        continue
    fi
    start=$(now_ms)
    kill -"$sig" "$W"
    wait_for 2 gone "$W"
    took=$(($(now_ms) - start))
    wait "$W" 2>/dev/null
    status=$?
    check "SIG$sig during a render: exit 0 within 1 s ($took ms, status $status)" \
        eval '((status == 0 && took <= 1000))'
    check "SIG$sig during a render: no stage file left" \
        test -z "$(find "$OUT" "$OUT2" -name '.*' -type f)"
    check "SIG$sig during a render: dest is the old or the new complete file ($(cat "$OUT/one.txt"))" \
        eval '[[ $(cat "$OUT/one.txt") == value=one4 || $(cat "$OUT/one.txt") == "value=mid-$sig" ]]'
    put /sig/one/v one4
done
svc_finish
