#!/usr/bin/env bash
# `[etcd] api = auto` and what selects the API over the file: on one etcd 3.4 serving
# both APIs (two separate keyspaces), the watcher picks v3 where v3 holds the watched
# keys, v2 where only v2 does, and v3 where neither does yet; on an etcd without v2
# (--enable-v2=false) it picks v3. It logs the choice and why, once, and then follows
# changes in the keyspace it chose. The global --api, ETCDWATCH_API and confd's
# `-backend etcd|etcdv3` override the file; a SIGHUP that changes `api` switches
# keyspaces; `etcdwatch --api v3 render` reads v3.
#
# usage: test_auto.sh PATH/TO/etcdwatch
set -uo pipefail
SVC_NAME=service
SVC_TIME_LIMIT=${SVC_TIME_LIMIT:-150}
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
read -r -a wrapper <<<"${ETCD_TEST_WRAPPER:-}"

svc_start_etcd auto 1
# v2 holds /two; v3 holds /three; /shadow has a key in each (the v3 one must win);
# /none is empty in both; /over is for the overrides.
SVC_API=v2 put /two/k from-v2
SVC_API=v2 put /shadow/k shadow-v2
SVC_API=v2 put /over/k over-v2
put3 /three/k from-v3
put3 /shadow/k shadow-v3
put3 /over/k over-v3
OUT=$SVC_DIR/out
mkdir -p "$OUT"

# confdir NAME PREFIX: a confdir with one resource rendering PREFIX's key k.
confdir() {
    local d=$SVC_DIR/$1
    mkdir -p "$d/conf.d" "$d/templates"
    printf 'k = {{getv "/k" "none"}}\n' >"$d/templates/k.tmpl"
    cat >"$d/conf.d/k.toml" <<EOF
[template]
src = "k.tmpl"
dest = "$OUT/$1.txt"
prefix = "$2"
keys = ["/"]
EOF
    echo "$d"
}

# ew ARGS...: etcdwatch in the foreground, bounded; RC and ERR_TEXT, OUT_TEXT.
ew() {
    timeout -k 5 30 "${wrapper[@]}" "$EW" "$@" >"$SVC_DIR/ew.out" 2>"$SVC_DIR/ew.err" </dev/null
    # shellcheck disable=SC2034 # read by the checks' eval strings
    RC=$?
    OUT_TEXT=$(cat "$SVC_DIR/ew.out")
    ERR_TEXT=$(cat "$SVC_DIR/ew.err")
}

# ---- watch mode under auto: the choice, logged once, then changes in that keyspace ----
# watcher NAME PREFIX FIRST API CHANGE_WITH: start it, expect FIRST rendered, the choice
# of API logged once, then a change written with CHANGE_WITH rendered.
watcher() {
    local name=$1 prefix=$2 first=$3 api=$4 with=$5 d
    d=$(confdir "$name" "$prefix")
    write_conf "$SVC_DIR/$name.conf" "$EP" "$d" api=auto
    start_watcher "$name" run --config "$SVC_DIR/$name.conf"
    if wait_for 10 has_text "$OUT/$name.txt" "k = $first"; then
        ok "auto, $prefix: renders '$first' in ${WAITED_MS} ms"
    else
        not_ok "auto, $prefix: renders '$first'"
        show_log "$name"
    fi
    check "auto, $prefix: logs once that it reads with $api, and why" \
        eval '[[ $(grep -c "api auto: reading .* with $api: " "$SVC_DIR/$name.log") == 1 ]]'
    grep "api auto" "$SVC_DIR/$name.log" | sed 's/^/    | /'
    SVC_API=$with put "$prefix/k" "changed-$with"
    if wait_for 5 has_text "$OUT/$name.txt" "k = changed-$with"; then
        ok "auto, $prefix: then follows a change written with $with (${WAITED_MS} ms)"
    else
        not_ok "auto, $prefix: then follows a change written with $with"
        show_log "$name"
    fi
    stop_pid "$WPID" 5
    check "auto, $prefix: SIGTERM: exit 0" test "$STOP_STATUS" = 0
}
watcher two /two from-v2 v2 v2
watcher three /three from-v3 v3 v3
watcher shadow /shadow shadow-v3 v3 v3
watcher none /none none v3 v3

# ---- onetime: what overrides the file's api ---------------------------------------
D=$(confdir over /over)
write_conf "$SVC_DIR/v3.conf" "$EP" "$D" api=v3
write_conf "$SVC_DIR/v2.conf" "$EP" "$D" api=v2
ew --api v2 run --onetime --config "$SVC_DIR/v3.conf"
check "--api v2 overrides the file's api = v3 (renders v2's value)" \
    eval '[[ $RC == 0 ]] && has_text "$OUT/over.txt" "k = over-v2"'
ETCDWATCH_API=3 ew run --onetime --config "$SVC_DIR/v2.conf"
check "ETCDWATCH_API=3 overrides the file's api = v2 (renders v3's value)" \
    eval '[[ $RC == 0 ]] && has_text "$OUT/over.txt" "k = over-v3"'
ew run --onetime --config "$SVC_DIR/v3.conf" -backend etcd
check "confd's -backend etcd means auto: v3 holds keys under /over, so v3" \
    eval '[[ $RC == 0 ]] && has_text "$OUT/over.txt" "k = over-v3"'
ew run --onetime --config "$SVC_DIR/v2.conf" -backend etcdv3
check "confd's -backend etcdv3 overrides the file's api = v2 (renders v3's value)" \
    eval '[[ $RC == 0 ]] && has_text "$OUT/over.txt" "k = over-v3"'
ew run --onetime --config "$SVC_DIR/v2.conf" -backend consul
check "confd's -backend consul: a usage error naming what is supported" \
    eval '[[ $RC == 2 && $ERR_TEXT == *etcdv3* ]]'

# ---- a SIGHUP that changes api switches keyspaces -----------------------------------
write_conf "$SVC_DIR/hup.conf" "$EP" "$D" api=v2
start_watcher hup run --config "$SVC_DIR/hup.conf"
H=$WPID
check "api = v2: renders v2's value" wait_for 10 has_text "$OUT/over.txt" "k = over-v2"
write_conf "$SVC_DIR/hup.conf" "$EP" "$D" api=v3
kill -HUP "$H"
check "SIGHUP with api = v3: renders v3's value" \
    wait_for 10 has_text "$OUT/over.txt" "k = over-v3"
put3 /over/k over-v3-later
check "then follows v3's changes" wait_for 5 has_text "$OUT/over.txt" "k = over-v3-later"
stop_pid "$H" 5
check "SIGTERM: exit 0" test "$STOP_STATUS" = 0

# ---- render reads the API it is told ------------------------------------------------
printf 'k = {{getv "/k"}}\n' >"$SVC_DIR/render.tmpl"
ew --endpoints "$EP" --api v3 render "$SVC_DIR/render.tmpl" --prefix /over
check "etcdwatch --api v3 render reads v3 ($OUT_TEXT)" \
    eval '[[ $RC == 0 && $OUT_TEXT == "k = over-v3-later" ]]'
ew --endpoints "$EP" render "$SVC_DIR/render.tmpl" --prefix /over
check "etcdwatch render (v2, the CLI's default) reads v2 ($OUT_TEXT)" \
    eval '[[ $RC == 0 && $OUT_TEXT == "k = over-v2" ]]'
ew --endpoints "$EP" --api v3 render "$SVC_DIR/render.tmpl" --prefix /nothing
check "etcdwatch --api v3 render of a missing key: exit 1 naming it" \
    eval '[[ $RC == 1 && $ERR_TEXT == */k* ]]'

# ---- an etcd without v2: auto picks v3 even with nothing to read ---------------------
svc_start_etcd nov2 1 --enable-v2=false
NEP=$EP
D=$(confdir nov2 /empty)
write_conf "$SVC_DIR/nov2.conf" "$NEP" "$D" api=auto
ew run --onetime --config "$SVC_DIR/nov2.conf"
check "no v2 API, nothing under the prefix: onetime picks v3 and says why" \
    eval '[[ $RC == 0 && $ERR_TEXT == *"with v3: "*"no v2 API"* ]]'
echo "$ERR_TEXT" | grep "api auto" | sed "s/^/    | /"
start_watcher nov2 run --config "$SVC_DIR/nov2.conf"
check "no v2 API: the watcher renders the default" \
    wait_for 10 has_text "$OUT/nov2.txt" "k = none"
put3 /empty/k filled "$NEP"
check "no v2 API: then follows v3's changes" \
    wait_for 5 has_text "$OUT/nov2.txt" "k = filled"
stop_pid "$WPID" 5
check "SIGTERM: exit 0" test "$STOP_STATUS" = 0
svc_finish
