#!/usr/bin/env bash
# etcdwatch demo: set up a fresh Debian 12 machine, build, and show the CLI at work.
#
#   bash watcher/demo.sh
#
# 1. Installs the build dependencies and etcd (bash .ci/setup.sh).
# 2. Builds everything (cmake -S . -B build && cmake --build build -j2).
# 3. Uses the etcd at $ETCDWATCH_ENDPOINTS (default http://127.0.0.1:2379) when it
#    answers the v3 API; otherwise starts one (etcd --enable-v2: both APIs) on free
#    loopback ports in a temporary directory and stops it on exit, whatever happens.
# 4. Runs the watcher on the v3 API: seeds example keys, renders the example templates
#    (templates/, conf/conf.d/) into build/demo-output/, and shows a change being
#    picked up live.
# 5. Runs a short CLI demo of the v3 commands, then of the v2 ones when the server
#    still has v2 (etcd 3.6 has not). Everything lives under a fresh key prefix,
#    removed at the end.
# It needs no input and ends by itself.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# Colours only on a terminal.
if [ -t 1 ]; then
    BOLD=$'\033[1m' CYAN=$'\033[36m' YELLOW=$'\033[33m' RESET=$'\033[0m'
else
    BOLD="" CYAN="" YELLOW="" RESET=""
fi
say() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$RESET"; }

# ---- 1. Set-up -----------------------------------------------------------------------
say "Setting up (build dependencies and etcd)"
if [ -f .ci/setup.sh ]; then
    bash .ci/setup.sh
else
    # The test scripts normally provide this; keep the demo usable without them.
    pkgs="build-essential cmake pkg-config libcurl4-openssl-dev libjansson-dev libssl-dev
          etcd-server etcd-client curl"
    if ! dpkg -s $pkgs >/dev/null 2>&1; then
        SUDO=""
        [ "$(id -u)" -eq 0 ] || SUDO=sudo
        $SUDO apt-get update
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $pkgs
    fi
fi

# ---- 2. Build ------------------------------------------------------------------------
say "Building"
cmake -S . -B build
cmake --build build -j2
ETCDWATCH="$ROOT/build/watcher/etcdwatch"
if [ ! -x "$ETCDWATCH" ]; then
    ETCDWATCH=$(find "$ROOT/build" -name etcdwatch -type f -perm -u+x | head -n1)
fi
[ -x "$ETCDWATCH" ] || { echo "demo: etcdwatch was not built" >&2; exit 1; }

# ---- 3. An etcd to talk to -----------------------------------------------------------
ETCD_PID=""
ETCD_DIR=""
DEMO_TMP=$(mktemp -d "${TMPDIR:-/tmp}/etcdwatch-demo-files.XXXXXX")
cleanup() {
    rm -rf "$DEMO_TMP"
    if [ -n "$ETCD_PID" ]; then
        kill "$ETCD_PID" 2>/dev/null || true
        wait "$ETCD_PID" 2>/dev/null || true
    fi
    if [ -n "$ETCD_DIR" ]; then
        rm -rf "$ETCD_DIR"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 20000))
        if port_free "$p"; then
            echo "$p"
            return 0
        fi
    done
    echo "demo: no free loopback port found" >&2
    return 1
}

export ETCDWATCH_ENDPOINTS="${ETCDWATCH_ENDPOINTS:-http://127.0.0.1:2379}"
if "$ETCDWATCH" --api v3 --timeout 2 get / --count-only >/dev/null 2>&1; then
    say "Using the etcd at $ETCDWATCH_ENDPOINTS"
else
    say "No etcd v3 API at $ETCDWATCH_ENDPOINTS: starting one on loopback"
    command -v etcd >/dev/null || { echo "demo: etcd is not installed" >&2; exit 1; }
    client_port=$(free_port)
    peer_port=$(free_port)
    while [ "$peer_port" = "$client_port" ]; do peer_port=$(free_port); done
    ETCD_DIR=$(mktemp -d /tmp/etcdwatch-demo.XXXXXX)
    etcd --name demo --enable-v2 --data-dir "$ETCD_DIR/data" \
        --listen-client-urls "http://127.0.0.1:$client_port" \
        --advertise-client-urls "http://127.0.0.1:$client_port" \
        --listen-peer-urls "http://127.0.0.1:$peer_port" \
        --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
        --initial-cluster "demo=http://127.0.0.1:$peer_port" \
        >"$ETCD_DIR/etcd.log" 2>&1 &
    ETCD_PID=$!
    export ETCDWATCH_ENDPOINTS="http://127.0.0.1:$client_port"
    for _ in $(seq 1 100); do
        if "$ETCDWATCH" --timeout 1 health >/dev/null 2>&1; then
            break
        fi
        if ! kill -0 "$ETCD_PID" 2>/dev/null; then
            echo "demo: etcd did not start; its log:" >&2
            cat "$ETCD_DIR/etcd.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    "$ETCDWATCH" health
fi
HAVE_V2=0
if "$ETCDWATCH" --timeout 2 ls / >/dev/null 2>&1; then
    HAVE_V2=1
fi

# ---- 4. The watcher ---------------------------------------------------------------------
# The arguments as a shell would need them typed: quoted when they hold spaces.
quoted() {
    local out="" a
    for a in "$@"; do
        case "$a" in
        *[[:space:]]* | "") a="'$a'" ;; # the demo's values hold no quotes
        esac
        out+=" $a"
    done
    printf '%s' "${out# }"
}

# Print a command as typed, then run it; show a non-zero exit status.
run() {
    local rc=0
    printf '%s$ etcdwatch %s%s\n' "$CYAN" "$(quoted "$@")" "$RESET"
    "$ETCDWATCH" "$@" || rc=$?
    if [ "$rc" -ne 0 ]; then
        printf '%s(exit status %d)%s\n' "$YELLOW" "$rc" "$RESET"
    fi
}

# The same for the v3 commands.
run3() {
    run --api v3 "$@"
}

P="/etcdwatch-demo/$$"
OUT="$ROOT/build/demo-output"
WATCHER_PID=""
stop_watcher() {
    if [ -n "$WATCHER_PID" ]; then
        kill -TERM "$WATCHER_PID" 2>/dev/null || true
        wait "$WATCHER_PID" 2>/dev/null || true
        WATCHER_PID=""
    fi
}
trap 'stop_watcher; cleanup' EXIT

say "The watcher: example templates rendered from etcd into $OUT"
# A confdir made from the examples: their dests moved into $OUT; sync_only below skips
# the check and reload commands, which need nginx and haproxy.
rm -rf "$OUT"
mkdir -p "$OUT" "$DEMO_TMP/confdir/conf.d"
cp -r templates "$DEMO_TMP/confdir/templates"
for f in conf/conf.d/*; do
    sed -e "s|\"/etc/[a-z]*/|\"$OUT/|" "$f" >"$DEMO_TMP/confdir/conf.d/${f##*/}"
done
cat >"$DEMO_TMP/etcdwatch.conf" <<CONF
[etcd]
endpoints = $ETCDWATCH_ENDPOINTS
api = v3
[watcher]
confdir = $DEMO_TMP/confdir
prefix = $P
sync_only = true
CONF
"$ETCDWATCH" --api v3 put "$P/myapp/upstreams/app1" "127.0.0.1:8081" >/dev/null
"$ETCDWATCH" --api v3 put "$P/myapp/upstreams/app2" "127.0.0.1:8082" >/dev/null
"$ETCDWATCH" --api v3 put "$P/myapp/nginx/listen" "127.0.0.1:8080" >/dev/null
"$ETCDWATCH" --api v3 put "$P/myapp/services/web/web1" "127.0.0.1:9001" >/dev/null
"$ETCDWATCH" --api v3 put "$P/myapp/env/log_level" "info" >/dev/null
"$ETCDWATCH" --api v3 put "$P/myapp/database/url" "db.example.com" >/dev/null
"$ETCDWATCH" --api v3 put "$P/myapp/database/user" "rob" >/dev/null
"$ETCDWATCH" --api v3 put "$P/myapp/features/search" "true" >/dev/null
printf '%s$ etcdwatch run --config etcdwatch.conf &%s
' "$CYAN" "$RESET"
"$ETCDWATCH" run --config "$DEMO_TMP/etcdwatch.conf" \
    > >(sed -u 's/^/    [etcdwatch] /') 2>&1 &
WATCHER_PID=$!
for _ in $(seq 1 50); do
    [ -s "$OUT/settings.json" ] && break
    sleep 0.1
done
for f in "$OUT"/*; do
    printf '%s--- %s%s
' "$BOLD" "${f#"$ROOT"/}" "$RESET"
    cat "$f"
done
say "A new backend appears in etcd; the watcher re-renders nginx.conf at once"
run3 put "$P/myapp/upstreams/app3" "127.0.0.1:8083"
for _ in $(seq 1 50); do
    grep -q 8083 "$OUT/nginx.conf" && break
    sleep 0.05
done
grep -n "server 127" "$OUT/nginx.conf"
stop_watcher
echo "(the rendered files stay in ${OUT#"$ROOT"/})"

# ---- 5. The CLI ------------------------------------------------------------------------

say "The v3 API (etcdwatch --api v3, or ETCDWATCH_API=3): put, get, txn"
run3 put "$P/v3/greeting" "hello, etcd v3"
run3 put "$P/v3/color" "blue"
run3 get "$P/v3/" --prefix
printf '%s$ etcdwatch --api v3 txn <<EOF   # compares, success requests, failure ones%s\n' \
    "$CYAN" "$RESET"
TXN="value(\"$P/v3/color\") = \"blue\"

put $P/v3/color green

put $P/v3/color red
"
printf '%s\n' "$TXN" | sed 's/^/    /'
printf '%s\n' "$TXN" | "$ETCDWATCH" --api v3 txn
run3 get "$P/v3/color" --print-value-only

say "Leases: a key that lives as long as its lease"
lease=$("$ETCDWATCH" --api v3 lease grant 60 | awk '{print $2}')
run3 lease timetolive "$lease"
run3 put --lease "$lease" "$P/v3/session" "alive"
run3 lease timetolive --keys "$lease"
run3 lease revoke "$lease"
run3 get "$P/v3/session"

say "History: watch --rev replays the changes since a revision (stopped after 1 s)"
rev=$("$ETCDWATCH" --api v3 -o json get "$P/v3/greeting" |
    sed -n 's/.*"mod_revision":"\([0-9]*\)".*/\1/p')
printf '%s$ etcdwatch --api v3 watch --prefix --rev %s %s%s\n' "$CYAN" "$rev" "$P/v3/" "$RESET"
timeout -s INT 1 "$ETCDWATCH" --api v3 watch --prefix --rev "$rev" "$P/v3/" || true

say "A lock around a command: two jobs never run at once"
# shellcheck disable=SC2016 # $ETCD_LOCK_KEY is for the command's shell
run3 lock "$P-lock" sh -c 'echo "holding $ETCD_LOCK_KEY"'
say "Clean-up: every v3 key of the demo, the watcher's included"
run3 del "$P/" --prefix

if [ "$HAVE_V2" -eq 0 ]; then
    say "This etcd has no v2 API: the v2 part is skipped. Done."
    exit 0
fi

say "The v2 API (the default): set, get, update, create"
run --version
run set "$P/greeting" "hello, etcd"
run get "$P/greeting"
run update "$P/greeting" "hello again"
run mk "$P/greeting" "this fails: the key exists"
run get "$P/missing"

say "Values from standard input: VALUE '-' reads it byte exact"
printf '%s$ printf %s | etcdwatch set %s -%s\n' \
    "$CYAN" "'line one\\nline two\\n'" "$P/config" "$RESET"
printf 'line one\nline two\n' | "$ETCDWATCH" set "$P/config" -
run get "$P/config"

say "An in-order queue: mk --in-order lets etcd name the keys"
run mk --in-order "$P/queue" "first job"
run mk --in-order "$P/queue" "second job"
run ls --sort "$P/queue"

say "Directories and listings"
run mkdir "$P/dir/sub"
run set "$P/dir/sub/leaf" "deep"
run ls --sort -p "$P"
run ls --recursive --sort "$P"

if "$ETCDWATCH" help render >/dev/null 2>&1; then
    say "render: a Go template with confd's functions over the keys under a prefix"
    cat >"$DEMO_TMP/demo.tmpl" <<'TEMPLATE'
greeting = {{getv "/greeting"}}
{{range gets "/queue/*"}}job {{base .Key}}: {{.Value}}
{{end}}
TEMPLATE
    printf '%s$ cat demo.tmpl%s\n' "$CYAN" "$RESET"
    cat "$DEMO_TMP/demo.tmpl"
    (cd "$DEMO_TMP" && run render demo.tmpl --prefix "$P")
fi

say "JSON output: the server's answer, one object per line"
run -o json get "$P/greeting"

say "watch: waits for the next change (started in the background, then a set)"
"$ETCDWATCH" watch --recursive "$P/dir" >"$DEMO_TMP/watch.out" 2>&1 &
watch_pid=$!
sleep 0.5
run set "$P/dir/sub/leaf" "changed while watched"
for _ in $(seq 1 50); do
    kill -0 "$watch_pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$watch_pid" 2>/dev/null; then
    kill "$watch_pid" 2>/dev/null || true
fi
wait "$watch_pid" 2>/dev/null || true
printf '%s$ etcdwatch watch --recursive %s    # what it printed%s\n' \
    "$CYAN" "$P/dir" "$RESET"
cat "$DEMO_TMP/watch.out"

say "Compare-and-swap, then clean up"
run set --swap-with-value "not the value" "$P/greeting" "x"
run set --swap-with-value "hello again" "$P/greeting" "swapped"
run rm "$P/greeting"
run rm --recursive "$P"
run ls "$P"
"$ETCDWATCH" rmdir /etcdwatch-demo >/dev/null 2>&1 || true

say "Done. 'etcdwatch --help' (v2) and 'etcdwatch --api v3 --help' show every command."
