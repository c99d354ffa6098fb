#!/usr/bin/env bash
# watcher-bench.sh: the watcher's benchmarks (issue 5), on one real etcd.
#
# In one run it starts etcd (Debian's etcd-server, --enable-v2) with tests/etcd-env.sh on
# free loopback ports in a temp dir, killed with every daemon started here on exit
# whatever happens, and measures, each ROUNDS times (figures printed, never asserted):
#   latency  etcdwatch in watch mode renders one resource ({{getv "/k"}}); CHANGES times
#            a key is PUT and watcher_bench times, from just before the PUT, when the
#            dest holds the new value (inotify) and, as the floor, when a plain v2 wait
#            request (libcurl, KEY?wait=true&waitIndex=N, registered before the PUT) sees
#            the same change. Changes are GAP_MS apart (more than the default debounce
#            of 100 ms: each one is an isolated change). Target: p50 within 1 ms of the
#            floor's p50, p99 within 3 ms of the floor's p99.
#   onetime  `etcdwatch run --onetime` of one template over KEYS keys (the dest removed
#            first, so that it is written each time), against the floor: `curl` of one
#            recursive GET of the same keys (recursive=true&quorum=true, the request the
#            watcher sends) writing its answer to a file. Both are whole processes timed
#            the same way; REPS of each, alternating, median of each. Target: <= 2x.
#   rss      etcdwatch in watch mode with RESOURCES resources over KEYS keys (each
#            resource renders its own directory of KEYS/RESOURCES keys: one watch per
#            resource): first render, then every key rewritten with a new value (a
#            burst of KEYS events) until every file holds the new values; peak RSS
#            (VmHWM of /proc/PID/status) after each phase. Target: < 8 MB. Also printed,
#            as the floor: the VmHWM of a bare libcurl process (watcher_bench rss-floor)
#            after curl_global_init() and one GET, i.e. what the shared libraries alone
#            cost here, and the daemon's peak above that floor.
# Each round's figures are printed as they come; a summary with the median of the rounds
# and the targets ends the run.
#
# With -a v3 the same three run on etcd's v3 API: the watcher is configured `api = v3`,
# the keys are written with /v3/kv/put (v3's keyspace), and the floors are v3 requests:
# for latency a raw /v3/watch stream of the key, opened once before the first change
# (etcd has registered it when it answers "created") and kept for every change, timed
# when it has delivered the message with the new value; for onetime one /v3/kv/range of
# the prefix (curl); for rss a bare libcurl process after one /v3/kv/range. The latency
# round also prints the PUT's acknowledgement and the file's and the stream's times
# after it.
#
#   watcher-bench.sh [options] [latency|onetime|rss ...]     (default: all three)
#     -w PATH       etcdwatch (default: $ETCDWATCH, then the usual build dirs)
#     -b PATH       watcher_bench helper (default: beside etcdwatch's build dir)
#     -r ROUNDS     run each benchmark ROUNDS times (default 3)
#     -n CHANGES    latency: changes per round (default 200)
#     -g GAP_MS     latency: pause before each change (default 120)
#     -k KEYS       onetime and rss: keys (default 10000)
#     -R RESOURCES  rss: resources (default 100)
#     -m REPS       onetime: timed runs of each side per round (default 5)
#     -a API        v2 (default) or v3: the API the watcher and the floors speak
#     -e URL        use this etcd instead of starting one (keys under /bench/watcher)
#     -T SECONDS    the whole run's time limit (default 1200); then it stops, cleaned up
#     -o DIR        keep every latency sample (CSV) and the daemons' logs in DIR
#     --strict      exit 3 when a median misses its target
# shellcheck disable=SC2317 # functions called through the trap and as "bench_$b"
set -euo pipefail

args=("$@")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
rounds=3
changes=200
gap_ms=120
keys=10000
resources=100
reps=5
endpoint=
limit=1200
keep=
strict=0
etcdwatch=${ETCDWATCH:-}
helper=
api=v2

die() {
    echo "watcher-bench.sh: $*" >&2
    exit 2
}
is_int() { [[ $1 =~ ^[0-9]+$ ]] && (($1 >= $2 && $1 <= $3)); }

while [ $# -gt 0 ]; do
    case $1 in
    -w) etcdwatch=$2; shift 2 ;;
    -b) helper=$2; shift 2 ;;
    -r) rounds=$2; shift 2 ;;
    -n) changes=$2; shift 2 ;;
    -g) gap_ms=$2; shift 2 ;;
    -k) keys=$2; shift 2 ;;
    -R) resources=$2; shift 2 ;;
    -m) reps=$2; shift 2 ;;
    -e) endpoint=$2; shift 2 ;;
    -a) api=$2; shift 2 ;;
    -T) limit=$2; shift 2 ;;
    -o) keep=$2; shift 2 ;;
    --strict) strict=1; shift ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) break ;;
    esac
done
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(latency onetime rss)
for b in "${benches[@]}"; do
    case $b in latency | onetime | rss) ;; *) die "unknown benchmark '$b'" ;; esac
done
case $api in v2 | v3) ;; *) die "-a takes v2 or v3" ;; esac
is_int "$rounds" 1 50 || die "-r takes 1 to 50"
is_int "$changes" 1 100000 || die "-n takes 1 to 100000"
is_int "$gap_ms" 0 60000 || die "-g takes 0 to 60000 (ms)"
is_int "$keys" 1 1000000 || die "-k takes 1 to 1000000"
is_int "$resources" 1 10000 || die "-R takes 1 to 10000"
is_int "$reps" 1 100 || die "-m takes 1 to 100"
is_int "$limit" 10 86400 || die "-T takes 10 to 86400 (s)"
((keys >= resources)) || die "-k must be at least -R (every resource has keys)"

# The whole run is bounded: past the limit, timeout(1) TERMs it (the EXIT trap below
# stops etcd and the daemons and removes the temp dir).
if [ -z "${WATCHER_BENCH_TIMED:-}" ]; then
    WATCHER_BENCH_TIMED=1 exec timeout -k 30 "$limit" "$0" "${args[@]}"
fi

if [ -z "$etcdwatch" ]; then # the first usual build dir with both programs
    for b in "$root"/build /tmp/wbench-build; do
        if [ -x "$b/watcher/etcdwatch" ] && { [ -n "$helper" ] ||
            [ -x "$b/tests/bench/watcher_bench" ]; }; then
            etcdwatch=$b/watcher/etcdwatch
            break
        fi
    done
fi
if [ -z "$etcdwatch" ] || [ ! -x "$etcdwatch" ]; then
    die "etcdwatch not found: build it and pass -w PATH"
fi
etcdwatch=$(cd "$(dirname "$etcdwatch")" && pwd)/$(basename "$etcdwatch")
if [ -z "$helper" ]; then
    helper=$(dirname "$(dirname "$etcdwatch")")/tests/bench/watcher_bench
fi
[ -x "$helper" ] || die "watcher_bench not found at $helper: build it" \
    "(cmake --build B --target watcher_bench) or pass -b PATH"
command -v curl >/dev/null || die "curl not found (apt-get install curl)"
if [ -n "$keep" ]; then mkdir -p "$keep" || die "cannot create $keep"; fi

# ---- etcd on free loopback ports, in a temp dir; everything stopped on exit ------------
# shellcheck source=SCRIPTDIR/../etcd-env.sh
source "$root/tests/etcd-env.sh"
if [ -z "$endpoint" ]; then
    etcd_cluster_start wbench 1
    endpoint=$ETCD_WBENCH_ENDPOINTS
fi
etcd_env_init # the temp dir and etcd-env's trap, also with -e
tmp=$ETCD_TEST_DIR
daemon= # the etcdwatch in watch mode, while one runs

bench_exit() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$daemon" ]; then
        kill -TERM "$daemon" 2>/dev/null || true
        wait "$daemon" 2>/dev/null || true
    fi
    etcd_env_cleanup
    exit "$status"
}
trap bench_exit EXIT

base=/bench/watcher

# ---- Keys through the API under test ---------------------------------------------------
b64() { printf %s "$1" | base64 -w0; }
prefix_end() { # the end of v3's prefix range: PREFIX with its last byte + 1 (ASCII)
    local last
    printf -v last '%d' "'${1: -1}"
    printf '%s' "${1%?}"
    printf '%b' "\\$(printf %03o $((last + 1)))"
}
v3_post() { # v3_post PATH JSON [CURL OPTIONS...]
    local path=$1 json=$2
    shift 2
    curl -fsS -m 30 -X POST -H 'Content-Type: application/json' "$@" -d "$json" \
        "$endpoint$path"
}
put_key() { # put_key KEY VALUE
    if [ "$api" = v3 ]; then
        v3_post /v3/kv/put "{\"key\":\"$(b64 "$1")\",\"value\":\"$(b64 "$2")\"}" \
            >/dev/null
    else
        curl -fsS -m 5 -X PUT "$endpoint/v2/keys$1" -d "value=$2" >/dev/null
    fi
}
read_prefix() { # read_prefix PREFIX FILE: one read of everything under PREFIX, as JSON
    if [ "$api" = v3 ]; then
        v3_post /v3/kv/range \
            "{\"key\":\"$(b64 "$1/")\",\"range_end\":\"$(b64 "$(prefix_end "$1/")")\"}" \
            -o "$2"
    else
        curl -fsS -m 30 -o "$2" "$endpoint/v2/keys$1?recursive=true&quorum=true"
    fi
}
if [ "$api" = v3 ]; then
    v3_post /v3/kv/deleterange \
        "{\"key\":\"$(b64 "$base/")\",\"range_end\":\"$(b64 "$(prefix_end "$base/")")\"}" \
        >/dev/null 2>&1 || true
else
    curl -fsS -m 5 -X DELETE "$endpoint/v2/keys$base?recursive=true" >/dev/null 2>&1 || true
fi
put_key "$base/probe" 1 || die "cannot set a key on $endpoint with the $api API"
echo "etcd $(curl -fsS -m 2 "$endpoint/version") at $endpoint; $(nproc) CPUs, load" \
    "$(cut -d' ' -f1-3 /proc/loadavg); etcdwatch: $etcdwatch; API $api; $rounds round(s)"

# ---- Helpers ---------------------------------------------------------------------------
now_us() { # sets $now (microseconds, wall clock)
    now=${EPOCHREALTIME/./}
}

child_cpu_ms() { # sets $cpu: user + system CPU time of this shell's finished children
    times >"$tmp/times" # in this shell: $(times) would time a subshell's children
    cpu=$(awk 'END { split($1, u, /[ms]/); split($2, s, /[ms]/)
                     printf "%.0f", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 }' \
        "$tmp/times")
}

median() { # median of the arguments (numbers): the mean of the middle two when even
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "-"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

field() { # field NAME LINE: the value of NAME=VALUE in LINE
    awk -v k="$1" '{ for (i = 1; i <= NF; i++) { split($i, kv, "=");
        if (kv[1] == k) print kv[2] } }' <<<"$2"
}

# confdir DIR ENDPOINT: a main config for a confdir at DIR (conf.d/ and templates/).
write_config() {
    mkdir -p "$1/conf.d" "$1/templates" "$1/out"
    cat >"$1/etcdwatch.conf" <<EOF
[etcd]
endpoints = $endpoint
timeout = 5
api = $api

[watcher]
confdir = $1
mode = watch
log_level = warn
debounce_ms = 100
EOF
}

# start_daemon DIR NAME: etcdwatch in watch mode on DIR's config; sets $daemon.
start_daemon() {
    local log=$1/daemon.log
    [ -z "$keep" ] || log=$keep/$2-daemon.log
    "$etcdwatch" run --config "$1/etcdwatch.conf" --watch 2>>"$log" &
    daemon=$!
}

stop_daemon() { # SIGTERM, then at most 5 s, then SIGKILL
    local i
    [ -n "$daemon" ] || return 0
    kill -TERM "$daemon" 2>/dev/null || true
    for i in $(seq 1 50); do
        kill -0 "$daemon" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
    daemon=
}

# wait_for SECONDS WHAT COMMAND...: poll COMMAND every 20 ms until it succeeds.
wait_for() {
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@"; do
        if ((SECONDS >= deadline)); then
            echo "watcher-bench.sh: $what not within $1 s" >&2
            [ -z "$daemon" ] || tail -n 20 "$tmp"/*/daemon.log >&2 2>/dev/null || true
            return 1
        fi
        if [ -n "$daemon" ] && ! kill -0 "$daemon" 2>/dev/null; then
            echo "watcher-bench.sh: etcdwatch exited while waiting for $what" >&2
            return 1
        fi
        sleep 0.02
    done
}

holds() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

peak_kb() { # VmHWM, VmRSS, RssAnon and RssFile of the daemon, in kB
    awk '/^VmHWM:/ { h = $2 } /^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 }
         /^RssFile:/ { f = $2 } END { print h, r, a, f }' "/proc/$daemon/status"
}

# ---- (a) change-to-file latency ----------------------------------------------------------
lat_floor50=()
lat_floor99=()
lat_file50=()
lat_file99=()
lat_d50=()
lat_d99=()
lat_fack50=() # after the PUT's acknowledgement: the file
lat_fack99=()
lat_sack50=() # and the floor
lat_sack99=()
bench_latency() {
    local dir=$tmp/latency r out csv sched0 sched1
    write_config "$dir"
    cat >"$dir/conf.d/lat.conf" <<EOF
src = "lat.tmpl";
dest = "$dir/out/lat.txt";
prefix = "$base/lat";
keys = ["/k"];
EOF
    printf '%s\n' '{{getv "/k"}}' >"$dir/templates/lat.tmpl"
    for ((r = 1; r <= rounds; r++)); do
        put_key "$base/lat/k" "start$r" || die "cannot set $base/lat/k"
        rm -f "$dir/out/lat.txt"
        start_daemon "$dir" latency
        wait_for 20 "the first render of $dir/out/lat.txt" \
            holds "$dir/out/lat.txt" "start$r"
        csv=$dir/samples-$r.csv
        [ -z "$keep" ] || csv=$keep/latency-$r.csv
        read -r -a sched0 <"/proc/$daemon/schedstat"
        out=$(timeout -k 5 $((changes * (gap_ms + 1000) / 1000 + 60)) "$helper" latency \
            -a "$api" -e "$endpoint" -k "$base/lat/k" -f "$dir/out/lat.txt" -n "$changes" \
            -g "$gap_ms" -o "$csv") || die "latency round $r failed (see above)"
        read -r -a sched1 <"/proc/$daemon/schedstat"
        stop_daemon
        echo "round $r: $out"
        # schedstat: ns on a CPU, ns runnable but waiting for one, timeslices
        echo "round $r: etcdwatch during the changes: $(((sched1[0] - sched0[0]) / 1000000))" \
            "ms on a CPU, $(((sched1[1] - sched0[1]) / 1000000)) ms waiting for one" \
            "(run queue), $((sched1[2] - sched0[2])) timeslices"
        lat_floor50+=("$(field floor_p50_ms "$out")")
        lat_floor99+=("$(field floor_p99_ms "$out")")
        lat_file50+=("$(field file_p50_ms "$out")")
        lat_file99+=("$(field file_p99_ms "$out")")
        lat_fack50+=("$(field file_ack_p50_ms "$out")")
        lat_fack99+=("$(field file_ack_p99_ms "$out")")
        lat_sack50+=("$(field floor_ack_p50_ms "$out")")
        lat_sack99+=("$(field floor_ack_p99_ms "$out")")
        lat_d50+=("$(awk -v a="$(field file_p50_ms "$out")" \
            -v b="$(field floor_p50_ms "$out")" 'BEGIN { printf "%.3f", a - b }')")
        lat_d99+=("$(awk -v a="$(field file_p99_ms "$out")" \
            -v b="$(field floor_p99_ms "$out")" 'BEGIN { printf "%.3f", a - b }')")
        echo "round $r: latency: file p50 - floor p50 = ${lat_d50[-1]} ms (target <= 1)," \
            "file p99 - floor p99 = ${lat_d99[-1]} ms (target <= 3)"
    done
}

# ---- (b) onetime render of KEYS keys -------------------------------------------------------
one_watcher=()
one_floor=()
one_ratio=()
bench_onetime() {
    local dir=$tmp/onetime r i t0 c0 watcher_ms=() floor_ms=() cpu_ms=() w f bytes json
    write_config "$dir"
    cat >"$dir/conf.d/big.conf" <<EOF
src = "big.tmpl";
dest = "$dir/out/big.conf";
prefix = "$base";
keys = ["/big"];
EOF
    cat >"$dir/templates/big.tmpl" <<'EOF'
# {{len (ls "/big")}} backends
{{range gets "/big/*"}}server {{base .Key}} {{.Value}};
{{end -}}
EOF
    timeout -k 5 120 "$helper" seed -a "$api" -e "$endpoint" -p "$base/big" -n "$keys" \
        -c 16 || die "seeding $keys keys failed"
    read_prefix "$base/big" "$dir/floor.json" || die "cannot read $base/big"
    # (the read above is the warm-up: etcd's first walk of the keys, the page cache)
    timeout -k 5 60 "$etcdwatch" run --config "$dir/etcdwatch.conf" --onetime ||
        die "etcdwatch run --onetime failed"
    bytes=$(wc -c <"$dir/out/big.conf")
    json=$(wc -c <"$dir/floor.json")
    [ "$(grep -c '^server ' "$dir/out/big.conf")" -eq "$keys" ] ||
        die "the onetime render does not hold $keys lines"
    for ((r = 1; r <= rounds; r++)); do
        watcher_ms=()
        floor_ms=()
        cpu_ms=()
        for ((i = 1; i <= reps; i++)); do
            # alternate which side goes first
            local order=(watcher floor) s
            [ $((i % 2)) -eq 1 ] || order=(floor watcher)
            for s in "${order[@]}"; do
                rm -f "$dir/out/big.conf" "$dir/floor.json"
                if [ "$s" = watcher ]; then
                    child_cpu_ms
                    c0=$cpu
                    now_us
                    t0=$now
                    timeout -k 5 60 "$etcdwatch" run --config "$dir/etcdwatch.conf" \
                        --onetime || die "etcdwatch run --onetime failed"
                    now_us
                    child_cpu_ms
                    watcher_ms+=("$(awk -v d=$((now - t0)) 'BEGIN { printf "%.2f", d / 1e3 }')")
                    cpu_ms+=("$((cpu - c0))")
                else
                    now_us
                    t0=$now
                    read_prefix "$base/big" "$dir/floor.json"
                    now_us
                    floor_ms+=("$(awk -v d=$((now - t0)) 'BEGIN { printf "%.2f", d / 1e3 }')")
                fi
            done
        done
        w=$(median "${watcher_ms[@]}")
        f=$(median "${floor_ms[@]}")
        one_watcher+=("$w")
        one_floor+=("$f")
        one_ratio+=("$(awk -v a="$w" -v b="$f" 'BEGIN { printf "%.2f", a / b }')")
        echo "round $r: onetime keys=$keys dest_bytes=$bytes json_bytes=$json" \
            "etcdwatch_ms=[${watcher_ms[*]}] floor_ms=[${floor_ms[*]}]" \
            "etcdwatch_cpu_ms=[${cpu_ms[*]}]"
        echo "round $r: onetime: median etcdwatch ${w} ms, floor ${f} ms," \
            "ratio ${one_ratio[-1]} (target <= 2)"
    done
}

# ---- (c) peak RSS with RESOURCES resources over KEYS keys ---------------------------------
rss_first=()
rss_burst=()
rss_floor=()
rss_own=()
bench_rss() {
    local dir=$tmp/rss r i per=$((keys / resources)) hwm rss anon file t0 first_ms burst_ms
    local name sub floor_line floor_hwm
    write_config "$dir"
    for ((i = 0; i < resources; i++)); do
        printf -v name 'r%03d' "$i"
        printf -v sub 'd%03d' "$i"
        cat >"$dir/conf.d/$name.conf" <<EOF
src = "svc.tmpl";
dest = "$dir/out/$name.conf";
prefix = "$base/rss";
keys = ["/$sub"];
EOF
    done
    cat >"$dir/templates/svc.tmpl" <<'EOF'
upstream backends {
{{- range gets "/*/*"}}
    server {{.Value}}; # {{base .Key}}
{{- end}}
}
EOF
    # all_hold TAG: every dest exists and all KEYS lines hold values ending in -TAG
    all_hold() {
        local n
        n=$(cat "$dir"/out/r*.conf 2>/dev/null | grep -c -- "-$1; #") || true
        [ "$n" -eq "$keys" ]
    }
    for ((r = 1; r <= rounds; r++)); do
        rm -f "$dir"/out/r*.conf
        timeout -k 5 120 "$helper" seed -a "$api" -e "$endpoint" -p "$base/rss" \
            -n "$keys" -d "$resources" -c 16 -t "a$r" >/dev/null 2>&1 || die "re-seeding failed"
        now_us
        t0=$now
        start_daemon "$dir" rss
        # KEYS keys spread over RESOURCES directories: /rss/dNNN/kNNNNN
        wait_for 60 "the first render of $resources resources" all_hold "a$r"
        now_us
        first_ms=$(((now - t0) / 1000))
        read -r hwm rss anon file < <(peak_kb)
        rss_first+=("$hwm")
        echo "round $r: rss: first render of $resources resources ($per keys each) in" \
            "${first_ms} ms: VmHWM ${hwm} kB, VmRSS ${rss} kB (anon ${anon}, file ${file})"
        now_us
        t0=$now
        timeout -k 5 120 "$helper" seed -a "$api" -e "$endpoint" -p "$base/rss" \
            -n "$keys" -d "$resources" -c 16 -t "b$r" >/dev/null 2>&1 || die "the burst failed"
        wait_for 60 "$resources resources holding the burst's values" all_hold "b$r"
        now_us
        burst_ms=$(((now - t0) / 1000))
        read -r hwm rss anon file < <(peak_kb)
        rss_burst+=("$hwm")
        stop_daemon
        echo "round $r: rss: burst of $keys changes written and rendered in ${burst_ms} ms:" \
            "VmHWM ${hwm} kB, VmRSS ${rss} kB (anon ${anon}, file ${file}; target < 8192 kB)"
        # The floor: any libcurl program here, after curl_global_init() and one GET.
        floor_line=$(timeout -k 5 30 "$helper" rss-floor -a "$api" -e "$endpoint" \
            -p "$base/rss/d000")
        floor_hwm=$(field hwm_kb "$floor_line")
        rss_floor+=("$floor_hwm")
        rss_own+=("$((hwm - floor_hwm))")
        echo "round $r: rss: floor (a bare libcurl process after one read): VmHWM" \
            "${floor_hwm} kB (anon $(field anon_kb "$floor_line"), file" \
            "$(field file_kb "$floor_line")); etcdwatch above the floor: ${rss_own[-1]} kB"
    done
}

for b in "${benches[@]}"; do
    echo "== $b"
    "bench_$b"
done

# ---- Summary ---------------------------------------------------------------------------
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs (other work on" \
    "the machine inflates the wall-clock figures)"
missed=0
verdict() { # verdict VALUE LIMIT: sets $v_is to "met" when VALUE <= LIMIT, else MISSED
    if awk -v v="$1" -v l="$2" 'BEGIN { exit !(v <= l) }'; then
        v_is=met
    else
        v_is=MISSED
        missed=1
    fi
}
echo "== summary: medians of $rounds round(s)"
if [ ${#lat_d50[@]} -gt 0 ]; then
    v50=$(median "${lat_d50[@]}")
    v99=$(median "${lat_d99[@]}")
    echo "latency: floor p50 $(median "${lat_floor50[@]}") ms, p99" \
        "$(median "${lat_floor99[@]}") ms; file p50 $(median "${lat_file50[@]}") ms, p99" \
        "$(median "${lat_file99[@]}") ms"
    verdict "$v50" 1
    m50=$v_is
    verdict "$v99" 3
    echo "latency: p50 over the floor ${v50} ms (target <= 1 ms: $m50);" \
        "p99 over the floor ${v99} ms (target <= 3 ms: $v_is)"
    echo "latency after the PUT's acknowledgement ($api): file p50" \
        "$(median "${lat_fack50[@]}") ms, p99 $(median "${lat_fack99[@]}") ms; floor p50" \
        "$(median "${lat_sack50[@]}") ms, p99 $(median "${lat_sack99[@]}") ms"
fi
if [ ${#one_ratio[@]} -gt 0 ]; then
    v=$(median "${one_ratio[@]}")
    verdict "$v" 2
    echo "onetime: etcdwatch $(median "${one_watcher[@]}") ms, floor" \
        "$(median "${one_floor[@]}") ms, ratio ${v} (target <= 2: $v_is)"
fi
if [ ${#rss_burst[@]} -gt 0 ]; then
    v=$(median "${rss_burst[@]}")
    verdict "$v" 8191
    echo "rss: VmHWM after the first render $(median "${rss_first[@]}") kB, after the burst" \
        "${v} kB (target < 8192 kB: $v_is); floor $(median "${rss_floor[@]}") kB, etcdwatch" \
        "above it $(median "${rss_own[@]}") kB"
fi
if [ "$strict" -eq 1 ] && [ "$missed" -eq 1 ]; then
    exit 3
fi
exit 0
