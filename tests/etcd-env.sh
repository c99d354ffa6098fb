# shellcheck shell=bash
# etcd-env.sh: start real etcd servers for the tests, and tear them down on exit.
#
# Source it from bash, then call what you need:
#
#   source tests/etcd-env.sh
#   etcd_env_start            # plain member, TLS member, dead endpoint; exports below
#   etcd_cluster_start NAME N [extra etcd flags...]   # N-member cluster, plain http
#   etcd_tls_start NAME       # one member, https with --client-cert-auth
#
# etcd_env_start exports what the test suites read:
#   ETCD_TEST_ENDPOINT        http://127.0.0.1:PORT of a plain member
#   ETCD_TEST_TLS_ENDPOINT    https://127.0.0.1:PORT of a member that wants a client cert
#   ETCD_TEST_CA, ETCD_TEST_CERT, ETCD_TEST_KEY   PEM files for it (keys are 0600)
#   ETCD_TEST_DEAD_ENDPOINT   http://127.0.0.1:PORT where nothing listens
#   ETCD_TEST_CLUSTER_ENDPOINTS  the three client URLs of a three-member cluster, and
#   ETCD_TEST_CLUSTER_PIDS    their process ids, in the same order
#   ETCD_TEST_VICTIM_ENDPOINTS, ETCD_TEST_VICTIM_PIDS   another three-member cluster,
#                             for tests that kill a member
#   ETCD_TEST_AUTH_ENDPOINT   a plain member of its own, for tests that enable auth
#   ETCD_TEST_TOKEN_ENDPOINT  a member of its own whose v3 auth tokens live 2 s
#                             (--auth-token simple --auth-token-ttl 2) and whose watches
#                             get a progress notification every second (it_v3)
#   ETCD_TEST_V3_VICTIM_ENDPOINTS, ETCD_TEST_V3_VICTIM_PIDS   a third three-member
#                             cluster that it_v3 may kill one member of
#   ETCD_TEST_SPARE_PORTS     "CLIENT PEER": two free loopback ports (a member to add)
#   ETCD_TEST_BIN_DIR         where the project's programs are (etcdwatch), from
#                             ETCD_TEST_BIN_DIR or BUILD_DIR/watcher when set
#   ETCD_TEST_DIR             the temp dir holding data dirs, logs and certificates
#
# etcd_cluster_start NAME N sets ETCD_<NAME>_ENDPOINTS (comma-separated client URLs),
# ETCD_<NAME>_PIDS and ETCD_<NAME>_PEERS. Everything runs on 127.0.0.1 only, on ports
# that were free when chosen (a start that loses a port race is retried on new ports),
# in one mktemp -d directory that a trap removes on EXIT, INT and TERM together with
# every process started here. A missing etcd binary is an error, never a skip.

ETCD_ENV_PIDS=()
# ports handed out here and by the shells that ran this one (the dead endpoint must
# stay dead for a child script that starts servers of its own)
export ETCD_ENV_PORTS=${ETCD_ENV_PORTS:-" "}
ETCD_ENV_TRIES=${ETCD_ENV_TRIES:-5}
ETCD_ENV_HEALTH_TIMEOUT=${ETCD_ENV_HEALTH_TIMEOUT:-30}

etcd_env_die() {
    echo "etcd-env: $*" >&2
    exit 1
}

# Is process PID still running (a zombie waiting for its reaper is not)?
etcd_env_alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

etcd_env_cleanup() {
    local pid
    for pid in "${ETCD_ENV_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${ETCD_ENV_PIDS[@]}"; do
        # give etcd a moment to exit cleanly, then insist
        local i
        for i in 1 2 3 4 5 6 7 8 9 10; do
            etcd_env_alive "$pid" || break
            sleep 0.1
        done
        if etcd_env_alive "$pid"; then
            kill -9 "$pid" 2>/dev/null || true
        fi
        # members are this shell's children (scripts `wait` for one they kill)
        { wait "$pid"; } 2>/dev/null || true
    done
    ETCD_ENV_PIDS=()
    # only the directory this shell made: a child script that sources this file
    # must never remove its parent's servers' files
    if [[ -n ${ETCD_ENV_OWN_DIR:-} && -d $ETCD_ENV_OWN_DIR ]]; then
        rm -rf "$ETCD_ENV_OWN_DIR"
    fi
    ETCD_ENV_OWN_DIR=
}

etcd_env_trap() {
    local status=$?
    trap - EXIT INT TERM
    etcd_env_cleanup
    exit "$status"
}

# Create the temp dir and install the trap; done once, by the first start.
etcd_env_init() {
    [[ -n ${ETCD_ENV_OWN_DIR:-} && -d $ETCD_ENV_OWN_DIR ]] && return 0
    command -v etcd >/dev/null 2>&1 ||
        etcd_env_die "the etcd server binary is not installed (Debian: apt-get install" \
            "etcd-server); the integration and CLI tests need a real etcd"
    command -v curl >/dev/null 2>&1 || etcd_env_die "curl is not installed"
    local base=${TMPDIR:-/tmp}
    # tmpfs makes etcd's fsyncs free; the tests write thousands of keys
    if [[ -d /dev/shm && -w /dev/shm ]]; then
        base=/dev/shm
    fi
    ETCD_TEST_DIR=$(mktemp -d "$base/etcd-test.XXXXXX") || etcd_env_die "mktemp failed"
    ETCD_ENV_OWN_DIR=$ETCD_TEST_DIR
    export ETCD_TEST_DIR
    trap etcd_env_trap EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# Set ETCD_FREE_PORT to a loopback TCP port that nothing listens on and that this script
# did not hand out before (no subshell, so that the list of handed-out ports holds). Ports are drawn below Linux's ephemeral range so that outgoing
# connections do not take them.
etcd_free_port() {
    local port
    for _ in $(seq 1 200); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
        [[ $ETCD_ENV_PORTS == *" $port "* ]] && continue
        if etcd_port_bindable "$port"; then
            ETCD_ENV_PORTS+="$port "
            ETCD_FREE_PORT=$port
            return 0
        fi
    done
    etcd_env_die "found no free loopback port after 200 tries"
}

etcd_port_bindable() {
    local py=/usr/bin/python3
    [[ -x $py ]] || py=$(command -v python3 || true)
    if [[ -n $py ]]; then
        "$py" - "$1" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
    else
        # nothing answers a connect: treat as free (the start is retried on a race)
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
            return 1
        fi
        return 0
    fi
}

# etcd_wait_health URL [CURL TLS ARGS...]: wait until URL/health says true.
etcd_wait_health() {
    local url=$1
    shift
    local deadline=$((SECONDS + ETCD_ENV_HEALTH_TIMEOUT))
    while ((SECONDS < deadline)); do
        if curl -s --max-time 2 "$@" "$url/health" 2>/dev/null | grep -q '"health":"true"'; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# etcd_cluster_start NAME N [extra flags...]: start N members named NAME1..NAMEn.
# Extra flags go to every member (e.g. TLS flags). ETCD_ENV_SCHEME (http or https) and
# ETCD_ENV_CURL_ARGS (array) say how clients talk to it.
etcd_cluster_start() {
    local name=$1 n=$2
    shift 2
    [[ $n =~ ^[1-9][0-9]*$ ]] || etcd_env_die "etcd_cluster_start: bad member count '$n'"
    etcd_env_init
    local scheme=${ETCD_ENV_SCHEME:-http}
    local attempt i
    for attempt in $(seq 1 "$ETCD_ENV_TRIES"); do
        local cports=() pports=() pids=() initial="" clients=""
        for i in $(seq 1 "$n"); do
            etcd_free_port
            cports+=("$ETCD_FREE_PORT")
            etcd_free_port
            pports+=("$ETCD_FREE_PORT")
            initial+="${initial:+,}$name$i=http://127.0.0.1:${pports[i - 1]}"
            clients+="${clients:+,}$scheme://127.0.0.1:${cports[i - 1]}"
        done
        local ok=1 token
        token="$name-$$-$attempt-$RANDOM"
        for i in $(seq 1 "$n"); do
            local dir="$ETCD_TEST_DIR/$name$i"
            rm -rf "$dir"
            mkdir -p "$dir"
            local url="$scheme://127.0.0.1:${cports[i - 1]}"
            etcd --name "$name$i" --data-dir "$dir/data" --enable-v2 \
                --listen-client-urls "$url" --advertise-client-urls "$url" \
                --listen-peer-urls "http://127.0.0.1:${pports[i - 1]}" \
                --initial-advertise-peer-urls "http://127.0.0.1:${pports[i - 1]}" \
                --initial-cluster "$initial" --initial-cluster-token "$token" \
                --initial-cluster-state new --logger zap --log-level warn \
                --log-outputs stderr "$@" </dev/null >"$dir/etcd.log" 2>&1 &
            pids+=($!)
            ETCD_ENV_PIDS+=($!)
        done
        for i in $(seq 1 "$n"); do
            if ! etcd_wait_health "$scheme://127.0.0.1:${cports[i - 1]}" \
                "${ETCD_ENV_CURL_ARGS[@]}"; then
                ok=0
                break
            fi
        done
        if ((ok)); then
            local upper=${name^^}
            printf -v "ETCD_${upper}_ENDPOINTS" '%s' "$clients"
            printf -v "ETCD_${upper}_PIDS" '%s' "${pids[*]}"
            printf -v "ETCD_${upper}_PEERS" '%s' "$initial"
            echo "etcd-env: $name: $n member(s) healthy at $clients" >&2
            return 0
        fi
        local lost=0 pid
        for i in $(seq 1 "$n"); do
            if grep -q 'address already in use' "$ETCD_TEST_DIR/$name$i/etcd.log"; then
                lost=1
            fi
        done
        for pid in "${pids[@]}"; do
            kill -9 "$pid" 2>/dev/null || true
            { wait "$pid"; } 2>/dev/null || true
        done
        if ((!lost)); then
            for i in $(seq 1 "$n"); do
                echo "etcd-env: log of $name$i:" >&2
                tail -n 20 "$ETCD_TEST_DIR/$name$i/etcd.log" >&2
            done
            etcd_env_die "$name: etcd did not become healthy within" \
                "${ETCD_ENV_HEALTH_TIMEOUT}s (logs above)"
        fi
        echo "etcd-env: $name: lost a port race, retrying on new ports" >&2
    done
    etcd_env_die "$name: could not start after $ETCD_ENV_TRIES attempts"
}

# Generate a CA, a server certificate for 127.0.0.1 and a client certificate in DIR.
etcd_tls_certs() {
    local dir=$1
    command -v openssl >/dev/null 2>&1 || etcd_env_die "openssl is not installed"
    mkdir -p "$dir"
    (
        set -e
        umask 077
        cd "$dir"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -keyout ca.key -out ca.pem -days 2 -subj "/CN=etcdwatch test CA" 2>/dev/null
        printf '%s\n' "subjectAltName=IP:127.0.0.1" "extendedKeyUsage=serverAuth" \
            "basicConstraints=CA:FALSE" >server.ext
        printf '%s\n' "extendedKeyUsage=clientAuth" "basicConstraints=CA:FALSE" >client.ext
        local who
        for who in server client; do
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
                -keyout "$who.key" -out "$who.csr" -subj "/CN=etcdwatch test $who" \
                2>/dev/null
            openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
                -out "$who.pem" -days 2 -extfile "$who.ext" 2>/dev/null
        done
        chmod 0600 ./*.key
        chmod 0644 ./*.pem
    ) || etcd_env_die "generating test certificates with openssl failed"
}

# etcd_tls_start NAME: one https member that requires a client certificate. Sets
# ETCD_<NAME>_ENDPOINTS and ETCD_<NAME>_CERTS (the directory with ca.pem,
# client.pem, client.key).
etcd_tls_start() {
    local name=$1
    etcd_env_init
    local certs="$ETCD_TEST_DIR/$name-certs"
    etcd_tls_certs "$certs"
    local ETCD_ENV_SCHEME=https
    local ETCD_ENV_CURL_ARGS=(--cacert "$certs/ca.pem" --cert "$certs/client.pem"
        --key "$certs/client.key")
    etcd_cluster_start "$name" 1 --client-cert-auth --trusted-ca-file "$certs/ca.pem" \
        --cert-file "$certs/server.pem" --key-file "$certs/server.key"
    printf -v "ETCD_${name^^}_CERTS" '%s' "$certs"
}

# The standard environment of the test suites (see the top of this file).
etcd_env_start() {
    etcd_env_init
    ETCD_ENV_CURL_ARGS=()
    etcd_cluster_start plain 1
    etcd_tls_start tls
    export ETCD_TEST_ENDPOINT=$ETCD_PLAIN_ENDPOINTS
    export ETCD_TEST_TLS_ENDPOINT=$ETCD_TLS_ENDPOINTS
    export ETCD_TEST_CA=$ETCD_TLS_CERTS/ca.pem
    export ETCD_TEST_CERT=$ETCD_TLS_CERTS/client.pem
    export ETCD_TEST_KEY=$ETCD_TLS_CERTS/client.key
    etcd_cluster_start cluster 3
    export ETCD_TEST_CLUSTER_ENDPOINTS=$ETCD_CLUSTER_ENDPOINTS
    export ETCD_TEST_CLUSTER_PIDS=$ETCD_CLUSTER_PIDS
    etcd_cluster_start victim 3
    # The tests kill victims themselves: the shell must not report each as a "Killed"
    # job (it still reaps them, and the cleanup still stops the rest).
    # shellcheck disable=SC2086
    disown $ETCD_VICTIM_PIDS
    export ETCD_TEST_VICTIM_ENDPOINTS=$ETCD_VICTIM_ENDPOINTS
    export ETCD_TEST_VICTIM_PIDS=$ETCD_VICTIM_PIDS
    etcd_cluster_start auth 1
    export ETCD_TEST_AUTH_ENDPOINT=$ETCD_AUTH_ENDPOINTS
    etcd_cluster_start token 1 --auth-token simple --auth-token-ttl 2 \
        --experimental-watch-progress-notify-interval 1s
    export ETCD_TEST_TOKEN_ENDPOINT=$ETCD_TOKEN_ENDPOINTS
    etcd_cluster_start v3victim 3
    # shellcheck disable=SC2086
    disown $ETCD_V3VICTIM_PIDS
    export ETCD_TEST_V3_VICTIM_ENDPOINTS=$ETCD_V3VICTIM_ENDPOINTS
    export ETCD_TEST_V3_VICTIM_PIDS=$ETCD_V3VICTIM_PIDS
    etcd_free_port
    export ETCD_TEST_DEAD_ENDPOINT="http://127.0.0.1:$ETCD_FREE_PORT"
    local spare_client spare_peer
    etcd_free_port
    spare_client=$ETCD_FREE_PORT
    etcd_free_port
    spare_peer=$ETCD_FREE_PORT
    export ETCD_TEST_SPARE_PORTS="$spare_client $spare_peer"
    if [[ -z ${ETCD_TEST_BIN_DIR:-} && -n ${BUILD_DIR:-} ]]; then
        ETCD_TEST_BIN_DIR=$BUILD_DIR/watcher
    fi
    export ETCD_TEST_BIN_DIR=${ETCD_TEST_BIN_DIR:-}
}

# Stop everything now (the trap does the same on exit).
etcd_env_stop() {
    etcd_env_cleanup
    unset ETCD_TEST_DIR
}
