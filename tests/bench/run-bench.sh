#!/usr/bin/env bash
# run-bench.sh: libetcd against wrk, with the same requests, on one real etcd.
#
# In one run it starts etcd (Debian's etcd-server, --enable-v2) with tests/etcd-env.sh on
# free loopback ports in a temp dir, killed on exit whatever happens, and measures on it,
# for each pair, both libetcd (etcd_bench) and wrk:
#   get   async GET of one key, 16 in flight (one client, max_connections 16)
#         vs wrk -t1 -c16
#   set   async PUT value=... (form body) of one key, 16 in flight
#         vs wrk -t1 -c16 with put.lua (same method, body and Content-Type)
#   sync  etcd_keys_get_sync() in a loop (one connection) vs wrk -t1 -c1
#   range v3: async etcd_v3_range() of the key (POST /v3/kv/range {"key":base64}),
#         16 in flight, vs wrk -t1 -c16 with range_v3.lua (the same URL and body)
#   put   v3: async etcd_v3_put() of the key and value (POST /v3/kv/put
#         {"key":..,"value":..}), 16 in flight, vs wrk -t1 -c16 with put_v3.lua
# Before the v3 pairs it shows that libetcd, wrk and bare libcurl send byte-identical
# requests (method, URL path, Content-Type, body): each client in turn talks for a moment
# to capture.py, a stand-in gateway that records what it receives; a difference fails
# the run (exit 1).
# It prints each pair, the ratio libetcd/wrk, the target (>= 0.9) and each client's own
# CPU time per request (user + system: steadier than req/s when other processes compete
# for the CPUs). etcd_bench checks every answer (status and value); any error makes the
# run fail (exit 1).
#
#   run-bench.sh [options] [get|set|sync|range|put ...]      (default: all five)
#     -b PATH       etcd_bench binary (default: $ETCD_BENCH, then the usual build dirs)
#     -d SECONDS    duration of each measurement (default 5)
#     -c N          requests in flight for get, set, range and put (default 16)
#     -r ROUNDS     measure each pair ROUNDS times, alternating which side goes first,
#                   and report medians (default 1)
#     -s SIDE       libetcd, wrk or both (default both)
#     -e URL        use this etcd instead of starting one (e.g. http://127.0.0.1:2379)
#     -p PIN        CPU placement: none (default), split (etcd on CPU 0, the client on
#                   CPU 1), or ETCDCPUS:CLIENTCPUS in taskset's list form (e.g. 0:1)
#     -f            also run curl_floor: the same requests with bare libcurl (no libetcd,
#                   no JSON), to show libetcd's own cost on top of libcurl's
#     --strict      exit 3 when a ratio misses its target
# Examples: run-bench.sh get          (one pair)
#           run-bench.sh -s libetcd -d 2 set
#           run-bench.sh -f -r 3 range put   (v3 only: etcd 3.6 has no v2)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
duration=5
conns=16
rounds=1
side=both
endpoint=
pin=none
strict=0
floor=0
bin=${ETCD_BENCH:-}
key=/bench/key
value=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
target=0.9

die() {
    echo "run-bench.sh: $*" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
    -b) bin=$2; shift 2 ;;
    -d) duration=$2; shift 2 ;;
    -c) conns=$2; shift 2 ;;
    -r) rounds=$2; shift 2 ;;
    -s) side=$2; shift 2 ;;
    -e) endpoint=$2; shift 2 ;;
    -p) pin=$2; shift 2 ;;
    -f) floor=1; shift ;;
    --strict) strict=1; shift ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) break ;;
    esac
done
pairs=("$@")
[ ${#pairs[@]} -gt 0 ] || pairs=(get set sync range put)
want_v2=0
want_v3=0
for p in "${pairs[@]}"; do
    case $p in
    get | set | sync) want_v2=1 ;;
    range | put) want_v3=1 ;;
    *) die "unknown measurement '$p': get, set, sync, range or put" ;;
    esac
done
case $side in libetcd | wrk | both) ;; *) die "-s takes libetcd, wrk or both" ;; esac
[[ $duration =~ ^[0-9]+$ && $duration -ge 1 && $duration -le 600 ]] ||
    die "-d takes whole seconds from 1 to 600"
[[ $conns =~ ^[0-9]+$ && $conns -ge 1 && $conns -le 1000 ]] || die "-c takes 1 to 1000"
[[ $rounds =~ ^[0-9]+$ && $rounds -ge 1 && $rounds -le 50 ]] || die "-r takes 1 to 50"

# CPU placement: the same for libetcd and wrk, so both sides run under equal conditions.
etcd_cpus=
client_cpus=
case $pin in
none) ;;
split) etcd_cpus=0; client_cpus=1 ;;
*:*) etcd_cpus=${pin%%:*}; client_cpus=${pin#*:} ;;
*) die "-p takes none, split or ETCDCPUS:CLIENTCPUS" ;;
esac
on_cpus() { # on_cpus LIST COMMAND...: run COMMAND on LIST, or anywhere when LIST is empty
    local cpus=$1
    shift
    if [ -n "$cpus" ]; then taskset -c "$cpus" "$@"; else "$@"; fi
}

if [ "$side" != wrk ] || [ "$floor" -eq 1 ]; then
    if [ -z "$bin" ]; then
        for b in "$root"/build/tests/bench/etcd_bench "$root"/build/bench/etcd_bench \
            /tmp/bench-build/tests/bench/etcd_bench; do
            if [ -x "$b" ]; then bin=$b; break; fi
        done
    fi
    if [ -z "$bin" ] || [ ! -x "$bin" ]; then
        die "etcd_bench not found: build it (cmake --build B --target etcd_bench) and pass -b PATH"
    fi
fi
if [ "$floor" -eq 1 ]; then
    floor_bin=$(dirname "$bin")/curl_floor
    [ -x "$floor_bin" ] || die "-f: $floor_bin not found (cmake --build B --target curl_floor)"
fi
if [ "$side" != libetcd ]; then command -v wrk >/dev/null || die "wrk not found (apt-get install wrk)"; fi
command -v curl >/dev/null || die "curl not found (apt-get install curl)"

# ---- etcd on free loopback ports, in a temp dir, stopped on exit ----------------------
# tests/etcd-env.sh starts it (data on tmpfs when there is one) and its EXIT trap kills
# it and removes the temp dir, whatever happens.
# shellcheck source=SCRIPTDIR/../etcd-env.sh
source "$root/tests/etcd-env.sh"
if [ -z "$endpoint" ]; then
    etcd_cluster_start bench 1
    endpoint=$ETCD_BENCH_ENDPOINTS
    if [ -n "$etcd_cpus" ]; then
        for pid in $ETCD_BENCH_PIDS; do taskset -a -p -c "$etcd_cpus" "$pid" >/dev/null; done
    fi
fi
etcd_env_init # the temp dir and trap, also with -e
tmp=$ETCD_TEST_DIR
url=$endpoint/v2/keys$key
key64=$(printf %s "$key" | base64 -w0)
value64=$(printf %s "$value" | base64 -w0)
if [ "$want_v2" -eq 1 ]; then
    curl -fsS -m 5 -X PUT "$url" -d "value=$value" >/dev/null ||
        die "cannot set $key on $endpoint (is v2 enabled?)"
fi
if [ "$want_v3" -eq 1 ]; then
    curl -fsS -m 5 -X POST "$endpoint/v3/kv/put" -H 'Content-Type: application/json' \
        -d "{\"key\":\"$key64\",\"value\":\"$value64\"}" >/dev/null ||
        die "cannot put $key on $endpoint with the v3 gateway"
fi

echo "etcd $(curl -fsS -m 2 "$endpoint/version") at $endpoint; $(nproc) CPUs;" \
    "pin: $pin; ${duration}s per measurement, $rounds round(s)"
load_note() { # warn when other processes use the CPUs (before we start): req/s varies
    local load
    load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null) || return 0
    if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l + 0 > n * 0.75) }'; then
        echo "note: load average $load on $(nproc) CPUs $1: other processes compete for" \
            "the CPUs, req/s will vary; compare the client CPU us/req column"
    fi
}
load_note "before the run"

# ---- One measurement: prints "REQS_PER_S ERRORS CPU_US_PER_REQ" ("-" for what is unknown)
limit=$((duration + 30)) # a hung client is killed, never waited for
run_prog() {             # run_prog BINARY MODE DEPTH: etcd_bench or curl_floor
    local out
    if ! out=$(on_cpus "$client_cpus" timeout -k 5 "$limit" "$1" -e "$endpoint" \
        -k "$key" -v "$value" -c "$3" -d "$duration" "$2" 2>"$tmp/err"); then
        sed 's/^/    /' "$tmp/err" >&2
    fi
    echo "    $out" >&2
    awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
         END { if (f["rps"] == "") print "- 1 -";
               else print f["rps"], f["errors"], f["cpu_us_per_req"] }' <<<"$out"
}
run_wrk() { # run_wrk PATH CONNS [SCRIPT]: PATH after the endpoint
    local out args=(-t1 -c"$2" -d"${duration}s")
    [ -z "${3:-}" ] || args+=(-s "$3")
    # `times` in the subshell: the CPU time of its children, i.e. of wrk.
    out=$(
        BENCH_VALUE=$value BENCH_KEY64=$key64 BENCH_VALUE64=$value64 \
            on_cpus "$client_cpus" timeout -k 5 "$limit" \
            wrk "${args[@]}" "$endpoint$1" 2>&1 || true
        times
    )
    grep -E 'Requests/sec|Latency |requests in|Non-2xx|Socket errors' <<<"$out" |
        sed 's/^ */    wrk: /' >&2
    awk 'function secs(t) { split(t, ms, /[ms]/); return ms[1] * 60 + ms[2] }
         /^Requests\/sec:/ { rps = $2 }
         / requests in / { n = $1 }
         /Non-2xx or 3xx responses:/ { err += $NF }
         /Socket errors:/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) err += $i + 0 }
         /^[0-9]+m[0-9.]+s [0-9]+m[0-9.]+s$/ { cpu = secs($1) + secs($2) }
         END { if (rps == "") { print "- 1 -"; exit }
               printf "%s %d %s\n", rps, err, n ? sprintf("%.1f", cpu * 1e6 / n) : "-" }' \
        <<<"$out"
}

# ---- The pairs ------------------------------------------------------------------------
declare -A label lib_args wrk_args
label[get]="GET, $conns in flight"
label[set]="PUT (set), $conns in flight"
label[sync]="GET, blocking, 1 connection"
label[range]="v3 range, $conns in flight"
label[put]="v3 put, $conns in flight"
lib_args[get]="get $conns"
lib_args[set]="set $conns"
lib_args[sync]="sync-get 1"
lib_args[range]="range $conns"
lib_args[put]="put $conns"
wrk_args[get]="/v2/keys$key $conns"
wrk_args[set]="/v2/keys$key $conns $here/put.lua"
wrk_args[sync]="/v2/keys$key 1"
wrk_args[range]="/v3/kv/range $conns $here/range_v3.lua"
wrk_args[put]="/v3/kv/put $conns $here/put_v3.lua"
declare -A rps_of err_of cpu_of # keyed by "SIDE PAIR"

# ---- The v3 requests are the same bytes from every client ------------------------------
# check_bodies PAIR: each client talks for a moment to its own capture.py; every request
# it sent to the pair's path must be one and the same, and the same for every client.
check_bodies() {
    local p=$1 path=${wrk_args[$1]%% *} c cap pid port prog lines first='' firstc='' i n
    for c in libetcd wrk curl; do
        case $c in
        libetcd) [ "$side" != wrk ] || continue ;;
        wrk) [ "$side" != libetcd ] || continue ;;
        curl) [ "$floor" -eq 1 ] || continue ;;
        esac
        cap=$tmp/capture-$p-$c
        rm -f "$cap.port" "$cap.out"
        python3 "$here/capture.py" "$key" "$value" "$cap.port" "$cap.out" &
        pid=$!
        for ((i = 0; i < 100; i++)); do
            [ -s "$cap.port" ] && break
            sleep 0.05
        done
        [ -s "$cap.port" ] || { kill "$pid" 2>/dev/null; die "capture.py did not start"; }
        port=$(cat "$cap.port")
        case $c in
        libetcd | curl)
            [ "$c" = libetcd ] && prog=$bin || prog=$floor_bin
            timeout -k 5 30 "$prog" -e "http://127.0.0.1:$port" -k "$key" -v "$value" \
                -c "${lib_args[$p]##* }" -d 0.3 "${lib_args[$p]%% *}" >/dev/null \
                2>"$tmp/err" ||
                { sed 's/^/    /' "$tmp/err" >&2; echo "bodies: $c failed" >&2; } ;;
        wrk)
            # shellcheck disable=SC2086
            BENCH_VALUE=$value BENCH_KEY64=$key64 BENCH_VALUE64=$value64 \
                timeout -k 5 30 wrk -t1 -c2 -d1s -s ${wrk_args[$p]##* } \
                "http://127.0.0.1:$port$path" >/dev/null 2>&1 || true ;;
        esac
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        lines=$(grep -F " $path " "$cap.out" 2>/dev/null) || lines=
        n=0
        [ -z "$lines" ] || n=$(wc -l <<<"$lines")
        if [ "$n" -ne 1 ]; then
            echo "bodies: $c sent $n different requests to $path (want 1)" >&2
            [ -z "$lines" ] || printf '    %s\n' "$lines" >&2
            return 1
        fi
        if [ -z "$first" ]; then
            first=$lines
            firstc=$c
        elif [ "$lines" != "$first" ]; then
            echo "bodies: $c and $firstc send different requests to $path:" >&2
            printf '    %s: %s\n' "$firstc" "$first" "$c" "$lines" >&2
            return 1
        fi
    done
    [ -z "$first" ] || echo "bodies: ${label[$p]}: the same request from every client: $first"
}
if [ "$want_v3" -eq 1 ]; then
    command -v python3 >/dev/null || die "python3 not found (apt-get install python3)"
    for p in "${pairs[@]}"; do
        case $p in range | put) check_bodies "$p" || exit 1 ;; esac
    done
fi

if [ "$side" != libetcd ]; then
    # shellcheck disable=SC2086
    set -- ${wrk_args[${pairs[0]}]}
    echo "warm-up: wrk -c$conns -d1s on $1"
    on_cpus "$client_cpus" timeout 30 wrk -t1 -c"$conns" -d1s ${3:+-s "$3"} \
        "$endpoint$1" >/dev/null 2>&1 || true
fi
for ((r = 1; r <= rounds; r++)); do
    for p in "${pairs[@]}"; do
        order=(libetcd wrk)
        [ $((r % 2)) -eq 1 ] || order=(wrk libetcd)
        [ "$floor" -eq 0 ] || order+=(curl)
        for s in "${order[@]}"; do
            [ "$side" = both ] || [ "$side" = "$s" ] || [ "$s" = curl ] || continue
            echo "round $r: ${label[$p]}: $s" >&2
            if [ "$s" = libetcd ]; then
                # shellcheck disable=SC2086
                read -r rps err cpu < <(run_prog "$bin" ${lib_args[$p]})
            elif [ "$s" = curl ]; then
                # shellcheck disable=SC2086
                read -r rps err cpu < <(run_prog "$floor_bin" ${lib_args[$p]})
            else
                # shellcheck disable=SC2086
                read -r rps err cpu < <(run_wrk ${wrk_args[$p]})
            fi
            rps_of[$s $p]+="$rps "
            cpu_of[$s $p]+="$cpu "
            err_of[$s $p]=$((${err_of[$s $p]:-0} + ${err/-/1}))
        done
    done
done

median() { # median "N N N ..." ("-" entries are runs that failed)
    tr ' ' '\n' <<<"$1" | sort -g |
        awk '/^[0-9.]+$/ { v[++n] = $1 }
             END { if (!n) print "-"; else if (n % 2) print v[(n + 1) / 2];
                   else printf "%.2f\n", (v[n / 2] + v[n / 2 + 1]) / 2 }'
}

echo
[ "$rounds" -eq 1 ] || echo "medians of $rounds rounds (every round below each row):"
fmt='%-28s %13s %11s %6s %-14s %-13s %s\n'
# shellcheck disable=SC2059
printf "$fmt" "measurement" "libetcd req/s" "wrk req/s" "ratio" "target" \
    "errors lib/wrk" "client CPU us/req lib/wrk"
failed=0
missed=0
for p in "${pairs[@]}"; do
    l=$(median "${rps_of[libetcd $p]:-}")
    w=$(median "${rps_of[wrk $p]:-}")
    ratio=-
    verdict=
    if [ "$l" != - ] && [ "$w" != - ]; then
        ratio=$(awk -v l="$l" -v w="$w" 'BEGIN { printf "%.2f", l / w }')
        if awk -v r="$ratio" -v t="$target" 'BEGIN { exit !(r + 0 >= t) }'; then
            verdict=ok
        else
            verdict=MISSED
            missed=1
        fi
    fi
    for s in libetcd wrk curl; do
        [ "${err_of[$s $p]:-0}" -eq 0 ] || failed=1
    done
    # shellcheck disable=SC2059
    printf "$fmt" "${label[$p]}" "$l" "$w" "$ratio" ">= $target $verdict" \
        "${err_of[libetcd $p]:--}/${err_of[wrk $p]:--}" \
        "$(median "${cpu_of[libetcd $p]:-}")/$(median "${cpu_of[wrk $p]:-}")"
    if [ "$rounds" -gt 1 ]; then
        printf '    %-8s %s\n' libetcd "${rps_of[libetcd $p]:-}" wrk "${rps_of[wrk $p]:-}"
    fi
done
if [ "$floor" -eq 1 ]; then
    echo
    echo "bare libcurl (curl_floor: same requests, no libetcd, no JSON decoding):"
    fmt='%-28s %13s %13s %8s %s\n'
    # shellcheck disable=SC2059
    printf "$fmt" "measurement" "libetcd req/s" "curl req/s" "lib/curl" \
        "client CPU us/req lib/curl (errors)"
    for p in "${pairs[@]}"; do
        l=$(median "${rps_of[libetcd $p]:-}")
        c=$(median "${rps_of[curl $p]:-}")
        ratio=$(awk -v l="$l" -v c="$c" \
            'BEGIN { if (l + 0 > 0 && c + 0 > 0) printf "%.2f", l / c; else print "-" }')
        # shellcheck disable=SC2059
        printf "$fmt" "${label[$p]}" "$l" "$c" "$ratio" \
            "$(median "${cpu_of[libetcd $p]:-}")/$(median "${cpu_of[curl $p]:-}") (${err_of[curl $p]:--})"
    done
fi
if [ "$failed" -ne 0 ]; then
    echo "run-bench.sh: some requests failed (see above)" >&2
    exit 1
fi
if [ "$strict" -eq 1 ] && [ "$missed" -eq 1 ]; then exit 3; fi
exit 0
