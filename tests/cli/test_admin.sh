#!/usr/bin/env bash
# Tests of etcdwatch's admin commands (issue 3) against real etcd processes that this
# script starts on loopback through tests/etcd-env.sh:
#   - one plain member for v2 auth: the Rust etcd crate's auth sequence through the CLI,
#     users and roles with their errors, passwords from stdin, env and a no-echo prompt;
#   - a three-member cluster for members (add a fourth, start it with
#     --initial-cluster-state existing, update its peer URL, remove it), cluster-health
#     (healthy, degraded with a member killed, unavailable) and stats;
#   - one https member with --client-cert-auth (certificates made with openssl): every
#     admin command with --cacert/--cert/--key, and a one-line TLS error for each without
#     a client certificate and with the wrong CA.
#
# usage: test_admin.sh [PATH/TO/etcdwatch]   (default: $ETCD_TEST_BIN_DIR/etcdwatch)
# Each run of etcdwatch is bounded by a timeout and wrapped in $ETCD_TEST_WRAPPER
# (valgrind in tests/run.sh --valgrind); the whole script by ADMIN_MAX_SECONDS.
# Ends with "admin: N passed, M failed"; exit status 0 only when nothing failed.
# What every CLI test script shares (ew, expect, check, expect_fail, usage, json, the
# traps) is in lib.sh. The checks are strings that check() evals (shellcheck sees
# neither the variables they read nor the functions they call being used):
# shellcheck disable=SC2016,SC2034,SC2317
set -uo pipefail

TEST_NAME="admin"
# the whole script's limit: about 1.5 min normally, 35 min under valgrind
TEST_MAX=900
TEST_MAX_WRAPPED=3300
TEST_MAX_VAR=ADMIN_MAX_SECONDS
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

# stop every etcd and start afresh; etcd-env.sh's init installs its own traps
env_reset() {
    etcd_env_stop
    etcd_env_init
    cli_traps
}

# retry ARGS...: ew ARGS until etcd stops refusing with a 500 (a membership change
# right after a start or another change), for at most 30 s
retry() {
    local i
    for i in $(seq 1 60); do
        ew "$@"
        [[ $RC == 1 && $ERR == *"HTTP 500"* ]] || return 0
        sleep 0.5
    done
}

# one_json: $OUT is exactly one line holding one JSON object
one_json() {
    [[ $OUT != *$'\n'* ]] && "$PY" -c '
import json, sys
assert isinstance(json.loads(sys.argv[1]), dict)' "$OUT" 2>/dev/null
}

# ---- help and usage -----------------------------------------------------------------

ew --help
check "--help lists the admin commands" \
    eval '[[ $RC == 0 && $OUT == *"member "* && $OUT == *cluster-health* && $OUT == *"stats "* && $OUT == *"auth "* && $OUT == *"user "* && $OUT == *"role "* ]]'
for group in member stats auth user role; do
    ew "$group" --help
    check "$group --help: usage and its subcommands, exit 0" \
        eval '[[ $RC == 0 && $OUT == "Usage: etcdwatch $group COMMAND"* && $OUT == *Commands:* ]]'
    ew "$group"
    usage "$group without a subcommand: exit 2 with usage"
    ew "$group" frobnicate
    usage "$group frobnicate: exit 2 with usage"
done
for sub in "member list" "member add" "member update" "member remove" "stats self" \
    "stats leader" "stats store" "auth enable" "auth disable" "auth status" "user list" \
    "user get" "user add" "user remove" "user passwd" "user grant" "user revoke" \
    "role list" "role get" "role add" "role remove" "role grant" "role revoke" \
    cluster-health; do
    read -r -a words <<<"$sub"
    ew "${words[@]}" --help
    check "$sub --help: exit 0, its usage line" \
        eval '[[ $RC == 0 && $OUT == "Usage: etcdwatch $sub"* ]]'
done
ew help user add
check "help user add: the same page" \
    eval '[[ $RC == 0 && $OUT == "Usage: etcdwatch user add NAME"* && $OUT == *--password-stdin* ]]'

# usage errors need no server (nothing answers on the default endpoint here)
for cmd in "member add" "member add n" "member update" "member update 1234" \
    "member remove" "user get" "user add" "user remove" "user passwd" "user grant" \
    "user revoke" "role get" "role add" "role remove" "role grant" "role revoke"; do
    read -r -a words <<<"$cmd"
    ew "${words[@]}"
    usage "$cmd with an argument missing: exit 2 with usage"
done
ew user grant bob
usage "user grant NAME without --roles: exit 2"
ew user revoke bob --roles ,
usage "user revoke --roles with no role: exit 2"
ew role grant r --read
usage "role grant without --path: exit 2"
ew role grant r --read --write --path /x
usage "role grant with two of --read/--write/--readwrite: exit 2"
ew user add bob secret
usage "user add NAME PASSWORD: a password is never an argument (exit 2)"
ew member list extra
usage "member list with an extra argument: exit 2"
ew cluster-health extra
usage "cluster-health with an extra argument: exit 2"
ew member add n ,
usage "member add with an empty PEER_URLS: exit 2"

# =====================================================================================
# v2 auth on one plain member: the Rust crate's sequence, then errors
# =====================================================================================

etcd_cluster_start adminauth 1 || exit 1
A=$ETCD_ADMINAUTH_ENDPOINTS
export ETCDWATCH_ENDPOINTS=$A
rootpw="root-$RANDOM$RANDOM"
rktpw="rkt-$RANDOM$RANDOM"

# as root: every run below that needs it gets ETCDWATCH_PASSWORD from here
asroot() { ETCDWATCH_PASSWORD=$rootpw ew --user root "$@"; }

ew auth status
expect "auth status on a new cluster: disabled" 0 "Authentication is disabled"
ew -o json auth status
check "auth status -o json: {\"enabled\": false}" \
    eval 'one_json && [[ $RC == 0 && $(json "v[\"enabled\"]") == false ]]'
ew auth enable
expect_fail "auth enable without a root user: etcd's refusal, exit 1 (not 'already')" 1 \
    "Error:  auth: No root user available, please create one"
ew auth status
expect "...and auth is still disabled" 0 "Authentication is disabled"

ETCDWATCH_NEW_PASSWORD=$rootpw ew user add root
expect "user add root (password from ETCDWATCH_NEW_PASSWORD)" 0 "User root created"
ETCDWATCH_NEW_PASSWORD=other ew user add root
expect_fail "user add of an existing user: exit 1, and its password is kept" 1 \
    "Error:  auth: User root already exists."
ew auth enable
expect "auth enable: changed" 0 "Authentication Enabled"
ew auth status
expect "auth status: enabled" 0 "Authentication is enabled"
asroot auth enable
expect "auth enable again: already enabled, exit 0" 0 "Authentication already enabled"
asroot -o json auth enable
check "auth enable again -o json: changed false" \
    eval 'one_json && [[ $RC == 0 && $(json "v[\"changed\"]") == false && $(json "v[\"enabled\"]") == true ]]'

# wrong and missing credentials on the auth API: etcd's 110, exit 1
ETCDWATCH_PASSWORD=wrong ew --user root user list
expect_fail "user list with a wrong root password: 110, exit 1" 1 \
    "Error:  110: The request requires user authentication (Insufficient credentials) [[]0[]]"
ew role list
expect_fail "role list without credentials once auth is on: 110, exit 1" 1 \
    "Error:  110: *"
ETCDWATCH_PASSWORD=wrong ew --user root -o json user list
check "-o json: etcd's refusal object on stdout too" \
    eval '[[ $RC == 1 && $(json "v[\"message\"]") == "Insufficient credentials" ]]'

asroot role get guest
expect "role get guest: read and write on /* (etcdctl's form)" 0 "Role: guest
KV Read:
	/*
KV Write:
	/*"
asroot role revoke guest --write --path '/*'
expect "as root, revoke guest's write on /*" 0 "Role guest updated"
asroot role get guest
expect "guest keeps read only" 0 "Role: guest
KV Read:
	/*
KV Write:"
asroot role add rkt
expect "role add rkt" 0 "Role rkt created"
asroot role add rkt
expect_fail "role add of an existing role: etcd's error, exit 1" 1 \
    "Error:  auth: Role rkt already exists."
asroot role grant rkt --readwrite --path '/rkt/*'
expect "role grant rkt --readwrite --path /rkt/*" 0 "Role rkt updated"
asroot role grant rkt --read --path '/rkt/*'
expect_fail "granting it again: etcd's conflict, exit 1" 1 \
    "Error:  auth: Granting duplicate read permission /rkt/*"
printf '%s\n' "$rktpw" >"$work/rktpw"
STDIN=$work/rktpw asroot user add rkt --roles rkt --password-stdin
expect "user add rkt --roles rkt --password-stdin" 0 "User rkt created"
asroot user get rkt
expect "user get rkt: its role and paths" 0 "User: rkt
Roles: rkt

ROLE  READ    WRITE
rkt   /rkt/*  /rkt/*"

# what the rkt user may do
ETCDWATCH_PASSWORD=$rktpw ew --user rkt set /rkt/x hello
expect "user rkt can write /rkt/x" 0 "hello"
ETCDWATCH_PASSWORD=$rktpw ew --user rkt set /other nope
expect_fail "user rkt is refused on /other: 110 in etcdctl's form, exit 1" 1 \
    "Error:  110: The request requires user authentication (Insufficient credentials) [[]*[]]"
ETCDWATCH_PASSWORD=wrong-$rktpw ew --user rkt set /rkt/x again
expect_fail "a wrong password: etcd's error 110, exit 1" 1 \
    "Error:  110: The request requires user authentication (Insufficient credentials) [[]*[]]"
ew set /rkt/y guest
expect_fail "a guest can no longer write: 110, exit 1" 1 "Error:  110: *"
ew get /rkt/x
expect "a guest can still read" 0 "hello"

# update the password and grant root
newpw="new-$RANDOM$RANDOM"
ETCDWATCH_NEW_PASSWORD=$newpw asroot user passwd rkt
expect "user passwd rkt (env)" 0 "Password updated"
ETCDWATCH_PASSWORD=$rktpw ew --user rkt set /rkt/x old
expect_fail "the old password no longer works" 1 "Error:  110: *"
ETCDWATCH_PASSWORD=$newpw ew --user rkt set /rkt/x new
expect "the new one does" 0 "new"
asroot user grant rkt --roles root
expect "user grant rkt --roles root" 0 "User rkt updated"
asroot user get rkt
expect "user get rkt: both roles" 0 "User: rkt
Roles: rkt root

ROLE  READ    WRITE
rkt   /rkt/*  /rkt/*
root  /*      /*"
asroot -o json user get rkt
check "user get -o json: the server's object with both roles" \
    eval 'one_json && [[ $(json "sorted(r[\"role\"] for r in v[\"roles\"])") == "[\"rkt\", \"root\"]" ]]'
asroot role get rkt
expect "role get rkt shows both paths" 0 "Role: rkt
KV Read:
	/rkt/*
KV Write:
	/rkt/*"
asroot -o json role get rkt
check "role get -o json: the server's object" \
    eval 'one_json && [[ $(json "v[\"permissions\"][\"kv\"][\"write\"]") == "[\"/rkt/*\"]" ]]'
asroot user list
expect "user list: an aligned table" 0 "USER  ROLES
rkt   rkt,root
root  root"
asroot -o json user list
check "user list -o json: the server's object" \
    eval 'one_json && [[ $(json "sorted(u[\"user\"] for u in v[\"users\"])") == "[\"rkt\", \"root\"]" ]]'
asroot role list
expect "role list: an aligned table" 0 "ROLE   READ    WRITE
guest  /*
rkt    /rkt/*  /rkt/*
root   /*      /*"
asroot -o json role list
check "role list -o json: the server's object" \
    eval 'one_json && [[ $(json "len(v[\"roles\"])") == 3 ]]'
asroot user revoke rkt --roles root
expect "user revoke rkt --roles root" 0 "User rkt updated"
asroot user revoke rkt --roles root
expect_fail "revoking it again: etcd's conflict, exit 1" 1 \
    "Error:  auth: Revoking ungranted role root for user rkt"
asroot role revoke rkt --write --path '/rkt/*'
expect "role revoke rkt --write" 0 "Role rkt updated"
asroot role revoke rkt --write --path '/rkt/*'
expect_fail "revoking what is not granted: etcd's refusal, exit 1" 1 "Error:  auth: *"

# missing users and roles: etcd's errors, exit 1
asroot user get nobody
expect_fail "user get of a missing user: etcd's error, exit 1" 1 \
    "Error:  auth: User nobody does not exist."
asroot -o json user get nobody
check "...-o json: the error object on stdout" \
    eval '[[ $RC == 1 && $(json "v[\"message\"]") == "auth: User nobody does not exist." ]]'
asroot user remove nobody
expect_fail "user remove of a missing user: exit 1" 1 "Error:  auth: User nobody does not exist*"
ETCDWATCH_NEW_PASSWORD=x asroot user passwd nobody
expect_fail "user passwd of a missing user: exit 1 (not created)" 1 \
    "Error:  auth: User nobody does not exist."
asroot user get nobody
check "...and the user was not created" eval '[[ $RC == 1 ]]'
asroot user grant nobody --roles rkt
expect_fail "user grant to a missing user: exit 1" 1 "Error:  auth: User nobody does not exist."
asroot user grant rkt --roles nope
expect_fail "user grant of a missing role: etcd's error, exit 1" 1 \
    "Error:  auth: Role nope does not exist."
ETCDWATCH_NEW_PASSWORD=x asroot user add ghost --roles rkt,nope
expect_fail "user add with a missing role: exit 1" 1 "Error:  auth: Role nope does not exist."
asroot user get ghost
check "...and the user was not created" eval '[[ $RC == 1 ]]'
asroot role get nope
expect_fail "role get of a missing role: etcd's error, exit 1" 1 \
    "Error:  auth: Role nope does not exist."
asroot role remove nope
expect_fail "role remove of a missing role: exit 1" 1 "Error:  auth: Role nope *"
asroot role grant nope --path /x
expect_fail "role grant on a missing role: exit 1" 1 "Error:  auth: Role nope does not exist."
asroot role remove root
expect_fail "role remove root: etcd's refusal, exit 1" 1 "Error:  auth: Cannot modify role root*"

# passwords: stdin, env, prompt; never argv
printf '' >"$work/empty"
STDIN=$work/empty asroot user add u1 --password-stdin
expect_fail "an empty password from stdin: exit 1" 1 "Error:  user add: the new password is empty*"
asroot user add u1
expect_fail "no terminal, no --password-stdin, no env: exit 1 with what to do" 1 \
    "Error:  user add: no terminal to ask for the new password on*ETCDWATCH_NEW_PASSWORD*"
printf 'pw-u1\r\n' >"$work/pwcrlf"
STDIN=$work/pwcrlf asroot -o json user add u1 --roles rkt --password-stdin
check "user add -o json: the server's object" \
    eval 'one_json && [[ $RC == 0 && $(json "v[\"user\"]") == u1 ]]'
ETCDWATCH_PASSWORD=pw-u1 ew --user u1 get /rkt/x
expect "the password from stdin lost its CR LF" 0 "new"

# the prompt, on a pseudo-terminal: asked twice, never echoed
pty_run() { # pty_run INPUT1 INPUT2 ARGS...: etcdwatch on a pty; OUT gets what it printed
    local in1=$1 in2=$2
    shift 2
    # the answers travel in the environment, never in argv
    OUT=$(ETCDWATCH_PASSWORD=$rootpw PTY_IN1=$in1 PTY_IN2=$in2 timeout -k 5 "$T" "$PY" - \
        "${wrapper[@]}" "$EW" "${slow[@]}" "$@" <<'PY'
import os, pty, select, sys, time
in1, in2 = os.environb.pop(b"PTY_IN1"), os.environb.pop(b"PTY_IN2")
argv = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out = b""
def read_until(pat):
    global out
    end = time.time() + 20
    while pat is None or pat not in out:
        r, _, _ = select.select([fd], [], [], max(0, end - time.time()))
        if not r:
            return pat is None
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            chunk = b""
        if not chunk:
            return pat is None
        out += chunk
    return True
if read_until(b"New password for"):
    os.write(fd, in1 + b"\n")
    if read_until(b"Repeat"):
        os.write(fd, in2 + b"\n")
read_until(None)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
sys.exit(os.waitstatus_to_exitcode(status))
PY
    )
    RC=$?
    ERR=
}
ppw="pty-$RANDOM$RANDOM"
pty_run "$ppw" "$ppw" --user root user add u2 --roles rkt
check "user add on a terminal: prompted twice, created" \
    eval '[[ $RC == 0 && $OUT == *"New password for u2:"*"Repeat the new password for u2:"*"User u2 created"* ]]'
check "...and the password was not echoed" eval '[[ $OUT != *"$ppw"* ]]'
ETCDWATCH_PASSWORD=$ppw ew --user u2 get /rkt/x
expect "...it is u2's password" 0 "new"
pty_run "a-$ppw" "b-$ppw" --user root user passwd u2
check "user passwd on a terminal with two different answers: exit 1, nothing changed" \
    eval '[[ $RC == 1 && $OUT == *"do not match"* ]]'
ETCDWATCH_PASSWORD=$ppw ew --user u2 get /rkt/x
expect "...the old password still works" 0 "new"

for u in u1 u2; do
    asroot user remove "$u"
    expect "user remove $u" 0 "User $u removed"
done

# delete user and role, grant guest write back, disable
asroot -o json user remove rkt
check "user remove rkt -o json: {\"user\":\"rkt\",\"removed\":true}" \
    eval 'one_json && [[ $RC == 0 && $(json "v[\"user\"]") == rkt && $(json "v[\"removed\"]") == true ]]'
asroot role remove rkt
expect "role remove rkt" 0 "Role rkt removed"
asroot user get rkt
expect_fail "user rkt is gone" 1 "Error:  auth: User rkt does not exist."
asroot role get rkt
expect_fail "role rkt is gone" 1 "Error:  auth: Role rkt does not exist."
asroot role grant guest --write --path '/*'
expect "grant guest write on /* back" 0 "Role guest updated"
asroot role get guest
expect "guest has read and write again" 0 "Role: guest
KV Read:
	/*
KV Write:
	/*"
ew auth disable
expect_fail "auth disable without credentials: 110, exit 1" 1 "Error:  110: *"
asroot auth disable
expect "auth disable: changed" 0 "Authentication Disabled"
ew auth disable
expect "auth disable again: already disabled, exit 0" 0 "Authentication already disabled"
ew -o json auth disable
check "auth disable again -o json: changed false" \
    eval 'one_json && [[ $(json "v[\"changed\"]") == false && $(json "v[\"enabled\"]") == false ]]'
ew auth status
expect "auth status: disabled again" 0 "Authentication is disabled"
ew set /other free
expect "a guest writes anywhere again" 0 "free"
ew user remove root
expect "user remove root once auth is off" 0 "User root removed"
env_reset

# =====================================================================================
# members, cluster-health and stats on a three-member cluster
# =====================================================================================

etcd_cluster_start three 3 || exit 1
export ETCDWATCH_ENDPOINTS=$ETCD_THREE_ENDPOINTS
IFS=, read -r -a three_urls <<<"$ETCD_THREE_ENDPOINTS"
read -r -a three_pids <<<"$ETCD_THREE_PIDS"

ew member list
check "member list: a header and three started members" \
    eval '[[ $RC == 0 && $(printf "%s\n" "$OUT" | head -1) == "ID"*"STATUS"*"NAME"*"PEER URLS"*"CLIENT URLS"*"LEADER" && $(printf "%s\n" "$OUT" | grep -c " started  three[123] ") == 3 ]]'
for i in 1 2 3; do
    check "member list names three$i with its client URL" \
        eval '[[ $OUT =~ " three$i "+http://127.0.0.1:[0-9]+" "+"${three_urls[i - 1]}" ]]'
done
ew -o json member list
check "member list -o json: the server's object, three members" \
    eval 'one_json && [[ $(json "len(v[\"members\"])") == 3 ]]'

ew cluster-health
check "cluster-health with three: etcdctl's lines, exit 0" \
    eval '[[ $RC == 0 && $(printf "%s\n" "$OUT" | grep -cE "^member [0-9a-f]+ is healthy: got healthy result from http://127.0.0.1:[0-9]+$") == 3 && $(printf "%s\n" "$OUT" | tail -1) == "cluster is healthy" ]]'
ew -o json cluster-health
check "cluster-health -o json: healthy, three healthy members, one leader" \
    eval 'one_json && [[ $RC == 0 && $(json "v[\"cluster\"]") == healthy && $(json "sum(m[\"healthy\"] for m in v[\"members\"])") == 3 && $(json "sum(m[\"leader\"] for m in v[\"members\"])") == 1 ]]'
leader_id=$(json '[m["id"] for m in v["members"] if m["leader"]][0]')
leader_url=$(json '[m["clientURLs"][0] for m in v["members"] if m["leader"]][0]')

ew member list
check "member list: LEADER is true for the leader only ($leader_id)" \
    eval '[[ $(printf "%s\n" "$OUT" | grep -c " true$") == 1 && $(printf "%s\n" "$OUT" | grep " true$") == "$leader_id "* && $(printf "%s\n" "$OUT" | grep -c " false$") == 2 ]]'

# stats
ew stats self
check "stats self: name, id and state of the endpoint" \
    eval '[[ $RC == 0 && $OUT == *"state "*State* && $OUT == *recvAppendRequestCnt* ]] && printf "%s\n" "$OUT" | grep -qE "^name +three[123]$"'
ew -o json stats self
check "stats self -o json: the server's object" \
    eval 'one_json && [[ $(json "v[\"name\"]") == three? && -n $(json "v[\"id\"]") ]]'
ew stats leader
check "stats leader: the leader and its two followers" \
    eval '[[ $RC == 0 && $(printf "%s\n" "$OUT" | head -1) == "Leader: $leader_id" && $(printf "%s\n" "$OUT" | grep -cE "^[0-9a-f]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9]+$") == 2 ]]'
follower_url=
for u in "${three_urls[@]}"; do
    [[ $u != "$leader_url" ]] && follower_url=$u
done
ew --endpoints "$follower_url" -o json stats leader
check "stats leader through a follower's endpoint: the leader's figures" \
    eval 'one_json && [[ $RC == 0 && $(json "v[\"leader\"]") == "$leader_id" && $(json "len(v[\"followers\"])") == 2 ]]'
ew --endpoints "$follower_url" -o json stats store
sets0=$(json 'v["setsSuccess"]')
gets0=$(json 'v["getsSuccess"]')
for i in 1 2 3; do
    ew --endpoints "$follower_url" set "/stats/k$i" "v$i"
    ew --endpoints "$follower_url" get "/stats/k$i"
done
ew --endpoints "$follower_url" stats store
sets1=$(printf '%s\n' "$OUT" | awk '$1 == "setsSuccess" {print $2}')
gets1=$(printf '%s\n' "$OUT" | awk '$1 == "getsSuccess" {print $2}')
check "stats store: a 'counter value' table" \
    eval '[[ $RC == 0 && $OUT == *"getsSuccess "* && $OUT == *"watchers "* && $(printf "%s\n" "$OUT" | wc -l) -ge 16 ]]'
check "stats store: setsSuccess rose by 3 ($sets0 -> $sets1), getsSuccess by at least 3" \
    eval '[[ -n $sets0 && $((sets1 - sets0)) == 3 && $((gets1 - gets0)) -ge 3 ]]'

# member add: etcd refuses for a few seconds after the cluster starts
etcd_free_port
p4=$ETCD_FREE_PORT
etcd_free_port
p4b=$ETCD_FREE_PORT
etcd_free_port
c4=$ETCD_FREE_PORT
retry member add three4 "http://127.0.0.1:$p4"
check "member add three4: etcdctl's lines" \
    eval '[[ $RC == 0 && $(printf "%s\n" "$OUT" | head -1) =~ ^"Added member named three4 with ID "[0-9a-f]+" to cluster"$ ]]'
id4=$(printf '%s\n' "$OUT" | head -1 | awk '{print $7}')
initial=$(printf '%s\n' "$OUT" | sed -n 's/^ETCD_INITIAL_CLUSTER="\(.*\)"$/\1/p')
check "...with the settings to start it with" \
    eval '[[ $OUT == *"ETCD_NAME=\"three4\""* && $OUT == *"ETCD_INITIAL_CLUSTER_STATE=\"existing\""* && $initial == *"three4=http://127.0.0.1:$p4"* && $initial == *three1=* && $initial == *three2=* && $initial == *three3=* ]]'
ew member list
check "member list: four, three4 unstarted" \
    eval '[[ $(printf "%s\n" "$OUT" | tail -n +2 | wc -l) == 4 && $OUT =~ "$id4 "+"unstarted  "+"http://127.0.0.1:$p4" ]]'
ew cluster-health
check "cluster-health with an unstarted member: unreachable, degraded, exit 1" \
    eval '[[ $RC == 1 && $OUT == *"member $id4 is unreachable: no available published client urls"* && $(printf "%s\n" "$OUT" | tail -1) == "cluster is degraded" ]]'

# start it: listening on the peer URL it was added with and on the one it will get
dir4=$ETCD_TEST_DIR/three4
mkdir -p "$dir4"
etcd --name three4 --data-dir "$dir4/data" --enable-v2 \
    --listen-client-urls "http://127.0.0.1:$c4" --advertise-client-urls "http://127.0.0.1:$c4" \
    --listen-peer-urls "http://127.0.0.1:$p4,http://127.0.0.1:$p4b" \
    --initial-advertise-peer-urls "http://127.0.0.1:$p4" \
    --initial-cluster "$initial" --initial-cluster-state existing \
    --logger zap --log-level warn --log-outputs stderr >"$dir4/etcd.log" 2>&1 &
pid4=$!
ETCD_ENV_PIDS+=("$pid4")
if etcd_wait_health "http://127.0.0.1:$c4"; then
    ok "the fourth member started with --initial-cluster-state existing"
else
    bad "the fourth member started" "$(tail -n 5 "$dir4/etcd.log")"
fi
for i in $(seq 1 50); do
    ew member list
    [[ $OUT =~ "$id4 "+"started "+three4 ]] && break
    sleep 0.2
done
check "member list: four started members" \
    eval '[[ $(printf "%s\n" "$OUT" | grep -c " started ") == 4 && $OUT =~ "$id4 "+"started "+"three4 "+"http://127.0.0.1:$p4 "+"http://127.0.0.1:$c4" ]]'
ew member update "$id4" "http://127.0.0.1:$p4b"
expect "member update: etcdctl's line" 0 "Updated member with ID $id4 in cluster"
ew member list
check "member list shows the new peer URL" \
    eval '[[ $OUT =~ "$id4 "+"started "+"three4 "+"http://127.0.0.1:$p4b " ]]'
ew -o json member update "$id4" "http://127.0.0.1:$p4b"
check "member update -o json: {id, peerURLs}" \
    eval 'one_json && [[ $RC == 0 && $(json "v[\"id\"]") == "$id4" && $(json "v[\"peerURLs\"]") == "[\"http://127.0.0.1:$p4b\"]" ]]'
ew member add bad notaurl
expect_fail "member add with a malformed URL: etcd's error, exit 1" 1 \
    "Error:  URL scheme must be http, https, unix, or unixs: notaurl"
ew member update ffff "http://127.0.0.1:1"
expect_fail "member update of a missing member: exit 1" 1 "Error:  No such member: ffff"
ew member remove ffff
expect_fail "member remove of a missing member: exit 1" 1 "Error:  No such member: ffff"
retry member remove "$id4"
expect "member remove: etcdctl's line" 0 "Removed member $id4 from cluster"
ew member list
check "member list: three again" \
    eval '[[ $(printf "%s\n" "$OUT" | tail -n +2 | wc -l) == 3 && $OUT != *"$id4"* ]]'
peer1=$(printf '%s\n' "$OUT" | awk '$3 == "three1" {print $4}')
retry member add dup "$peer1"
expect_fail "member add of a peer URL in use: etcd's error, exit 1" 1 \
    "Error:  membership: peerURL exists"
for i in $(seq 1 50); do
    kill -0 "$pid4" 2>/dev/null || break
    sleep 0.1
done
kill "$pid4" 2>/dev/null
wait "$pid4" 2>/dev/null

# cluster-health with one member killed: degraded, naming it
ew -o json member list
dead_url=${three_urls[2]}
dead_id=$("$PY" -c '
import json, sys
print([m["id"] for m in json.loads(sys.argv[1])["members"] if sys.argv[2] in m["clientURLs"]][0])
' "$OUT" "$dead_url")
kill "${three_pids[2]}"
wait "${three_pids[2]}" 2>/dev/null
ew cluster-health
check "cluster-health with one killed: exit 1, 'cluster is degraded'" \
    eval '[[ $RC == 1 && $(printf "%s\n" "$OUT" | tail -1) == "cluster is degraded" && $(printf "%s\n" "$OUT" | grep -c " is healthy: ") == 2 ]]'
check "...naming the dead member ($dead_id) and its URL" \
    eval '[[ $OUT == *"failed to check the health of member $dead_id on $dead_url: "* && $OUT == *"member $dead_id is unreachable: [$dead_url] are all unreachable"* ]]'
ew -o json cluster-health
check "cluster-health -o json: degraded; the dead member unhealthy with a reason" \
    eval 'one_json && [[ $RC == 1 && $(json "v[\"cluster\"]") == degraded && $(json "[m[\"healthy\"] for m in v[\"members\"] if m[\"id\"] == \"$dead_id\"][0]") == false && -n $(json "[m[\"reason\"] for m in v[\"members\"] if m[\"id\"] == \"$dead_id\"][0]") ]]'
ew --endpoints "$dead_url,${three_urls[0]}" member list
check "member list fails over past the dead endpoint" \
    eval '[[ $RC == 0 && $(printf "%s\n" "$OUT" | tail -n +2 | wc -l) == 3 ]]'

# two of three down: no quorum, the survivor is not healthy once it notices that it has
# lost its leader (an election timeout, longer on a loaded machine): ask for up to 15 s
kill "${three_pids[1]}"
wait "${three_pids[1]}" 2>/dev/null
for _ in $(seq 1 30); do
    ew --endpoints "${three_urls[0]}" cluster-health
    [[ $(printf "%s\n" "$OUT" | tail -1) == "cluster is unavailable" ]] && break
    sleep 0.5
done
check "cluster-health with two of three killed: 'cluster is unavailable', exit 1" \
    eval '[[ $RC == 1 && $(printf "%s\n" "$OUT" | tail -1) == "cluster is unavailable" ]]'
env_reset
ew --endpoints "${three_urls[0]}" cluster-health
check "cluster-health with nothing listening: exit 1, one Error line" \
    eval '[[ $RC == 1 && $ERR == "Error:  "* && $ERR != *$'"'"'\n'"'"'* && $OUT == "cluster may be unhealthy: failed to list members" ]]'
ew --endpoints "${three_urls[0]}" member list
expect_fail "member list with nothing listening: exit 1, one Error line" 1 "Error:  *"
ew --endpoints "${three_urls[0]}" stats self
expect_fail "stats self with nothing listening: exit 1, one Error line" 1 "Error:  *"

# =====================================================================================
# TLS end to end: every admin command with --cacert/--cert/--key, and without
# =====================================================================================

etcd_tls_start admintls || exit 1
certs=$ETCD_ADMINTLS_CERTS
etcd_tls_certs "$ETCD_TEST_DIR/other-ca"
other=$ETCD_TEST_DIR/other-ca
export ETCDWATCH_ENDPOINTS=$ETCD_ADMINTLS_ENDPOINTS
TLS=(--cacert "$certs/ca.pem" --cert "$certs/client.pem" --key "$certs/client.key")
tpw="tls-$RANDOM$RANDOM"

tls_ok() { # tls_ok NAME ARGS...: the command succeeds over TLS
    local t_name=$1
    shift
    ETCDWATCH_PASSWORD=$tpw ETCDWATCH_NEW_PASSWORD=$tpw ew "${TLS[@]}" "$@"
    check "TLS: $t_name" eval '[[ $RC == 0 && -n $OUT ]]'
}
tls_ok "auth status" auth status
tls_ok "user add root" user add root
tls_ok "user list" user list
tls_ok "user get root" user get root
tls_ok "user passwd root" user passwd root
tls_ok "role add r" role add r
tls_ok "role grant r" role grant r --read --path /t
tls_ok "role list" role list
tls_ok "role get r" role get r
tls_ok "user grant root r" user grant root --roles r
tls_ok "user revoke root r" user revoke root --roles r
tls_ok "role revoke r" role revoke r --read --path /t
tls_ok "auth enable" auth enable
tls_ok "auth enable (as root: already)" --user root auth enable
tls_ok "auth disable (as root)" --user root auth disable
tls_ok "role remove r" role remove r
tls_ok "user remove root" user remove root
tls_ok "member list" member list
tls_ok "cluster-health" cluster-health
check "TLS: cluster-health asked the https client URL" \
    eval '[[ $OUT == *"got healthy result from $ETCD_ADMINTLS_ENDPOINTS"* ]]'
tls_ok "stats self" stats self
tls_ok "stats leader" stats leader
tls_ok "stats store" stats store
ew "${TLS[@]}" -o json member list
tid=$(json 'v["members"][0]["id"]')
tpeer=$(json 'v["members"][0]["peerURLs"][0]')
tls_ok "member update (its own peer URL)" member update "$tid" "$tpeer"
# member add and remove on a second member that joins over TLS
etcd_free_port
tp2=$ETCD_FREE_PORT
etcd_free_port
tc2=$ETCD_FREE_PORT
retry "${TLS[@]}" member add admintls2 "http://127.0.0.1:$tp2"
check "TLS: member add" eval '[[ $RC == 0 && $OUT == "Added member named admintls2"* ]]'
tid2=$(printf '%s\n' "$OUT" | head -1 | awk '{print $7}')
tinitial=$(printf '%s\n' "$OUT" | sed -n 's/^ETCD_INITIAL_CLUSTER="\(.*\)"$/\1/p')
mkdir -p "$ETCD_TEST_DIR/admintls2"
etcd --name admintls2 --data-dir "$ETCD_TEST_DIR/admintls2/data" --enable-v2 \
    --listen-client-urls "https://127.0.0.1:$tc2" \
    --advertise-client-urls "https://127.0.0.1:$tc2" \
    --listen-peer-urls "http://127.0.0.1:$tp2" \
    --initial-advertise-peer-urls "http://127.0.0.1:$tp2" \
    --initial-cluster "$tinitial" --initial-cluster-state existing \
    --client-cert-auth --trusted-ca-file "$certs/ca.pem" \
    --cert-file "$certs/server.pem" --key-file "$certs/server.key" \
    --logger zap --log-level warn --log-outputs stderr \
    >"$ETCD_TEST_DIR/admintls2/etcd.log" 2>&1 &
tpid2=$!
ETCD_ENV_PIDS+=("$tpid2")
if etcd_wait_health "https://127.0.0.1:$tc2" --cacert "$certs/ca.pem" \
    --cert "$certs/client.pem" --key "$certs/client.key"; then
    ok "TLS: the added member started"
else
    bad "TLS: the added member started" "$(tail -n 5 "$ETCD_TEST_DIR/admintls2/etcd.log")"
fi
ew "${TLS[@]}" cluster-health
check "TLS: cluster-health of two https members" \
    eval '[[ $RC == 0 && $(printf "%s\n" "$OUT" | grep -c "is healthy: got healthy result from https://") == 2 ]]'
ew "${TLS[@]}" stats leader
check "TLS: stats leader lists the new follower" \
    eval '[[ $RC == 0 && $OUT == *"$tid2 "* ]]'
retry "${TLS[@]}" member remove "$tid2"
check "TLS: member remove" eval '[[ $RC == 0 && $OUT == "Removed member $tid2 from cluster" ]]'
kill "$tpid2" 2>/dev/null
wait "$tpid2" 2>/dev/null

# every admin command without a client certificate, and with the wrong CA
tls_cmds=("auth status" "auth enable" "auth disable" "user list" "user get root"
    "user add u" "user remove u" "user passwd u" "user grant u --roles r"
    "user revoke u --roles r" "role list" "role get r" "role add r" "role remove r"
    "role grant r --path /x" "role revoke r --path /x" "member list"
    "member add m http://127.0.0.1:1" "member update $tid http://127.0.0.1:1"
    "member remove $tid" "cluster-health" "stats self" "stats leader" "stats store")
nocert_bad=()
wrongca_bad=()
for cmd in "${tls_cmds[@]}"; do
    read -r -a words <<<"$cmd"
    ETCDWATCH_NEW_PASSWORD=x ew --cacert "$certs/ca.pem" "${words[@]}"
    if ! [[ $RC == 1 && $ERR == "Error:  "* && $ERR != *$'\n'* && $ERR == *TLS* &&
        $ERR == *cert* && $OUT != *Added* ]]; then
        nocert_bad+=("$cmd: status $RC, stderr $(printf '%q' "$ERR")")
    fi
    ETCDWATCH_NEW_PASSWORD=x ew --cacert "$other/ca.pem" --cert "$certs/client.pem" \
        --key "$certs/client.key" "${words[@]}"
    if ! [[ $RC == 1 && $ERR == "Error:  "* && $ERR != *$'\n'* &&
        $ERR == *TLS* && $ERR == *--cacert* ]]; then
        wrongca_bad+=("$cmd: status $RC, stderr $(printf '%q' "$ERR")")
    fi
done
if ((${#nocert_bad[@]} == 0)); then
    ok "TLS: all ${#tls_cmds[@]} admin commands without a client certificate: exit 1, one clear TLS line"
else
    bad "TLS: admin commands without a client certificate" "${nocert_bad[@]}"
fi
if ((${#wrongca_bad[@]} == 0)); then
    ok "TLS: all ${#tls_cmds[@]} admin commands with the wrong CA: exit 1, one clear TLS line"
else
    bad "TLS: admin commands with the wrong CA" "${wrongca_bad[@]}"
fi
ew "${TLS[@]}" member list
check "TLS: the refused member commands changed nothing" \
    eval '[[ $RC == 0 && $(printf "%s\n" "$OUT" | tail -n +2 | wc -l) == 1 ]]'

finish
