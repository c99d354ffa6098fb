#!/usr/bin/env bash
# End to end with a real service, as users run it: Debian's nginx on a loopback port
# (its own -p prefix and pidfile) in front of two small HTTP backends (python3
# http.server, each serving a page naming itself). The example template
# templates/nginx.conf.tmpl renders the upstreams from etcd keys under /myapp; check_cmd
# runs `nginx -t` on the staged file; the reload sends SIGHUP to nginx through its
# pidfile. Adding a backend key makes requests through nginx reach the new backend;
# removing it stops them; a value that breaks nginx's syntax fails the check, leaves the
# live file alone, and nginx keeps serving.
#
# usage: test_nginx.sh PATH/TO/etcdwatch
set -uo pipefail
SVC_NAME=service
SVC_TIME_LIMIT=${SVC_TIME_LIMIT:-180}
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

NGINX=${NGINX:-/usr/sbin/nginx}
if [[ ! -x $NGINX ]]; then
    not_ok "nginx is not installed at $NGINX (Debian: apt-get install nginx-light)"
    svc_finish
fi
TEMPLATE=$SVC_HERE/../../templates/nginx.conf.tmpl
if [[ ! -f $TEMPLATE ]]; then
    not_ok "the example template $TEMPLATE is missing"
    svc_finish
fi

svc_start_etcd ngx 1
C=$SVC_DIR/confdir
NP=$SVC_DIR/nginx # nginx's prefix: its config, pidfile and logs
mkdir -p "$C/conf.d" "$C/templates" "$NP"
cp "$TEMPLATE" "$C/templates/nginx.conf.tmpl"
cat >"$C/conf.d/nginx.conf" <<EOF
# as conf/conf.d/nginx.conf, with this test's prefix, dest and pidfile
src = "nginx.conf.tmpl";
dest = "$NP/nginx.conf";
prefix = "/myapp";
keys = ["/upstreams", "/nginx"];
mode = "0644";
check_cmd = "$NGINX -t -q -p $NP -c {{.src}}";
reload_signal = "HUP";
pidfile = "$NP/nginx.pid";
check_timeout = 10;
EOF
write_conf "$SVC_DIR/etcdwatch.conf" "$EP" "$C"

# Two backends, each serving a page that names it.
backend_ports=()
for b in 1 2; do
    mkdir -p "$SVC_DIR/www$b"
    echo "backend-$b" >"$SVC_DIR/www$b/index.html"
    etcd_free_port
    backend_ports+=("$ETCD_FREE_PORT")
    "$PY" -m http.server "$ETCD_FREE_PORT" --bind 127.0.0.1 --directory "$SVC_DIR/www$b" \
        >"$SVC_DIR/backend$b.log" 2>&1 &
    svc_pids+=($!)
done
etcd_free_port
NGX_PORT=$ETCD_FREE_PORT
B1=127.0.0.1:${backend_ports[0]}
B2=127.0.0.1:${backend_ports[1]}
backends_up() {
    curl -sf -m 1 "http://$B1/" >/dev/null && curl -sf -m 1 "http://$B2/" >/dev/null
}
check "the two backends answer on loopback ($B1, $B2)" wait_for 10 backends_up

put /myapp/nginx/listen "127.0.0.1:$NGX_PORT"
put /myapp/nginx/pidfile "$NP/nginx.pid"
put /myapp/upstreams/app1 "$B1"

# The first render, then nginx on it, then the watcher (the file is then in sync).
"$EW" run --onetime --sync-only --config "$SVC_DIR/etcdwatch.conf" \
    >/dev/null 2>"$SVC_DIR/onetime.log" </dev/null
check "onetime renders nginx.conf from the example template" \
    has_text "$NP/nginx.conf" "server $B1; # app1"
svc_pidfiles+=("$NP/nginx.pid")
"$NGINX" -p "$NP" -c "$NP/nginx.conf" >"$SVC_DIR/nginx.log" 2>&1 </dev/null
check "nginx starts on the rendered file and writes its pidfile" \
    wait_for 5 test -s "$NP/nginx.pid"
NGX_PID=$(cat "$NP/nginx.pid" 2>/dev/null)

# hits N: N requests through nginx; prints which backend answered each, one a line.
hits() {
    local i
    for ((i = 0; i < $1; i++)); do
        curl -s -m 2 "http://127.0.0.1:$NGX_PORT/" || echo "no-answer"
    done
}
only() { # only BACKEND: 6 requests in a row all reach BACKEND
    [[ $(hits 6 | sort -u) == "$1" ]]
}
both() { # both: among 6 requests, both backends answer
    local seen
    seen=$(hits 6 | sort -u | tr '\n' ' ')
    [[ $seen == "backend-1 backend-2 " ]]
}
check "requests through nginx reach backend 1 only" wait_for 5 only backend-1

start_watcher watcher run --config "$SVC_DIR/etcdwatch.conf"
W=$WPID
check "the watcher starts and finds nginx.conf in sync (no reload)" \
    wait_for 5 grep -q "resources over" "$SVC_DIR/watcher.log"

# ---- adding a backend -------------------------------------------------------------
put /myapp/upstreams/app2 "$B2"
t=$(now_ms)
wait_for 10 grep -q "reloaded (signal" "$SVC_DIR/watcher.log"
echo "    | nginx.conf rendered, checked and nginx signalled after $(($(now_ms) - t)) ms"
if wait_for 10 both; then
    ok "adding /myapp/upstreams/app2: requests reach the new backend $(($(now_ms) - t)) ms later"
else
    not_ok "adding /myapp/upstreams/app2: requests reach the new backend"
    show_log watcher
fi
check "the watcher reloaded nginx by SIGHUP to its pidfile" \
    grep -q "reloaded (signal 1 to $NP/nginx.pid)" "$SVC_DIR/watcher.log"
check "nginx is the same master process (reloaded, not restarted)" \
    test "$(cat "$NP/nginx.pid")" = "$NGX_PID"

# ---- removing it ---------------------------------------------------------------------
del /myapp/upstreams/app2
if wait_for 10 only backend-1; then
    ok "removing app2: requests stop reaching it ${WAITED_MS} ms later"
else
    not_ok "removing app2: requests stop reaching it"
    show_log watcher
fi

# ---- a value that breaks nginx's syntax -------------------------------------------------
cp "$NP/nginx.conf" "$SVC_DIR/live.before"
reloads=$(grep -c reloaded "$SVC_DIR/watcher.log")
n=$(wc -l <"$SVC_DIR/watcher.log")
put /myapp/upstreams/app3 "127.0.0.1:9 bogus_parameter"
if wait_for 10 eval 'tail -n +$((n + 1)) "$SVC_DIR/watcher.log" | grep -q "check failed for $NP/nginx.conf.*bogus_parameter"'; then
    ok "a value breaking nginx's syntax fails nginx -t; the log has nginx's own message"
else
    not_ok "a value breaking nginx's syntax fails nginx -t; the log has nginx's own message"
    show_log watcher
fi
tail -n +$((n + 1)) "$SVC_DIR/watcher.log" | grep -m1 'check failed' | cut -c1-300 |
    sed 's/^/    | /'
sleep 0.3
check "the failure is one log line (nginx's two lines of output joined)" \
    log_lines_are_events watcher
check "the live nginx.conf is untouched" same_file "$SVC_DIR/live.before" "$NP/nginx.conf"
check "nginx was not reloaded" test "$(grep -c reloaded "$SVC_DIR/watcher.log")" = "$reloads"
check "nginx keeps serving (backend 1)" only backend-1
check "no stage file left in nginx's directory" no_stale_stage "$NP"

# ---- the next good change renders and reloads ---------------------------------------
del /myapp/upstreams/app3
put /myapp/upstreams/app2 "$B2"
if wait_for 10 both; then
    ok "after removing the bad value, adding app2 again reaches it (${WAITED_MS} ms)"
else
    not_ok "after removing the bad value, adding app2 again reaches it"
    show_log watcher
fi
check "nginx.conf has no trace of the bad value" \
    eval '! grep -q bogus_parameter "$NP/nginx.conf"'
check "the watcher and nginx still run" eval 'alive "$W" && alive "$NGX_PID"'
stop_pid "$W" 1
check "SIGTERM: the watcher exits 0 in ${STOP_MS} ms" test "$STOP_STATUS" = 0
check "after SIGTERM no stage file is left in nginx's directory" \
    test -z "$(find "$NP" -name '.nginx.conf*' -type f)"
svc_finish
