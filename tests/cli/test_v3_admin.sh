#!/usr/bin/env bash
# Tests of etcdwatch's v3 admin commands (issue 6: lease, member, endpoint, auth, user,
# role under --api v3) against real etcd processes that this script starts on loopback
# through tests/etcd-env.sh:
#   - one member for leases (a key kept past its TTL by a background keep-alive and
#     gone after revoke) and auth (a user with read on /app/ can read but not write it);
#   - a three-member cluster for members (a fourth added as a learner, started with
#     --initial-cluster-state existing, promoted, updated, removed) and endpoint
#     status|health with --cluster, also with one member killed.
# What etcdwatch wrote and deleted is checked with etcdctl where that makes a check
# independent of etcdwatch; the outputs are compared with what etcdctl v3 prints.
#
# usage: test_v3_admin.sh [PATH/TO/etcdwatch]   (default: $ETCD_TEST_BIN_DIR/etcdwatch)
# Each run of etcdwatch is bounded by a timeout and wrapped in $ETCD_TEST_WRAPPER
# (valgrind in tests/run.sh --valgrind); the whole script by V3ADMIN_MAX_SECONDS.
# Ends with "v3_admin: N passed, M failed"; exit status 0 only when nothing failed.
# What every CLI test script shares (ew, expect, check, expect_fail, usage, json, ctl,
# the traps) is in lib.sh. The checks are strings that check() evals, and the
# variables they read are set outside them:
# shellcheck disable=SC2016,SC2034
set -uo pipefail

TEST_NAME="v3_admin"
# the whole script's limit: under a minute normally, much more under valgrind (ctest
# stops it at 900 s in any case)
TEST_MAX=600
TEST_MAX_WRAPPED=880
TEST_MAX_VAR=V3ADMIN_MAX_SECONDS
TEST_NEEDS_ETCDCTL=1
# json: `endpoint status|health -o json` print one object per endpoint and line
JSON_LINES=1
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
export ETCDWATCH_API=3 ETCDCTL_API=3

# Under a wrapper (valgrind) leases live longer.
TTL=6
if ((${#wrapper[@]} > 0)); then
    TTL=12
fi

# retry_while GLOB ARGS...: ew ARGS again while it fails with a stderr matching GLOB
# (etcd refusing a membership change for now), for at most 60 s
retry_while() {
    local glob=$1 i
    shift
    for i in $(seq 1 120); do
        ew "$@"
        # shellcheck disable=SC2053
        [[ $RC == 1 && $ERR == $glob ]] || return 0
        sleep 0.5
    done
}

HEX16='[0-9a-f]{16}'
# an ID as etcdctl prints a member or cluster ID (%16x): padded with spaces to 16
ID16='[ 0-9a-f]{16}'

# ---- help and usage (no server needed) ----------------------------------------------

ew --help
check "--api v3 --help lists the admin commands" \
    eval '[[ $RC == 0 && $OUT == *"  lease "* && $OUT == *"  member "* && $OUT == *"  endpoint "* && $OUT == *"  auth "* && $OUT == *"  user "* && $OUT == *"  role "* ]]'
for group in lease member endpoint auth user role; do
    ew "$group" --help
    check "$group --help: its usage and subcommands, exit 0" \
        eval '[[ $RC == 0 && $OUT == "Usage: etcdwatch $group COMMAND"* && $OUT == *Commands:* ]]'
done
ew lease keep-alive --help
check "lease keep-alive --help: a paragraph and --once" \
    eval '[[ $RC == 0 && $OUT == "Usage: etcdwatch lease keep-alive ID"* && $OUT == *SIGTERM* && $OUT == *--once* ]]'
ew role grant-permission --help
check "role grant-permission --help: --prefix and --from-key" \
    eval '[[ $RC == 0 && $OUT == *--prefix* && $OUT == *--from-key* ]]'
ew lease
usage "lease without a subcommand: exit 2"
ew lease grant abc
usage "lease grant abc: a bad TTL, exit 2"
ew lease revoke zz
usage "lease revoke zz: not a hex ID, exit 2"
ew member remove 0xab
usage "member remove 0xab: not an ID as etcdctl takes it, exit 2"
ew member add four
usage "member add without --peer-urls: exit 2"
ew member update ab
usage "member update without --peer-urls: exit 2"
ew role grant-permission r bogus /k
usage "role grant-permission with a bad type: exit 2"
ew role grant-permission r read /a /b --prefix
usage "role grant-permission with RANGE_END and --prefix: exit 2"
ew role revoke-permission r /a --prefix --from-key
usage "role revoke-permission with --prefix and --from-key: exit 2"
ew user add bob:secret
usage "user add NAME:PASSWORD: a password is never an argument, exit 2"

# =====================================================================================
# leases and auth on one member
# =====================================================================================

etcd_cluster_start v3one 1 || exit 1
export ETCDWATCH_ENDPOINTS=$ETCD_V3ONE_ENDPOINTS

ew lease grant 300
check "lease grant: etcdctl's line" \
    eval '[[ $RC == 0 && $OUT =~ ^"lease "$HEX16" granted with TTL(300s)"$ ]]'
lid=$(awk '{print $2}' <<<"$OUT")
ctl_capture put --lease="$lid" /lease/a 1
ctl_capture put --lease="$lid" /lease/b 2
ew lease timetolive "$lid"
check "lease timetolive: granted and remaining TTL" \
    eval '[[ $RC == 0 && $OUT =~ ^"lease $lid granted with TTL(300s), remaining("(29[0-9]|300)"s)"$ ]]'
ew lease timetolive --keys "$lid"
check "lease timetolive --keys: the attached keys as etcdctl (in etcd's order)" \
    eval '[[ $RC == 0 && $OUT =~ ^"lease $lid granted with TTL(300s), remaining("[0-9]+"s), attached keys(["("/lease/a /lease/b"|"/lease/b /lease/a")"])"$ ]]'
ew -o json lease timetolive --keys "$lid"
check "lease timetolive --keys -o json: the keys decoded" \
    eval '[[ $RC == 0 && $(json "sorted(v[\"keys\"])") == "[\"/lease/a\", \"/lease/b\"]" ]]'
ew lease list
check "lease list: found 1 leases, then its ID" \
    eval '[[ $RC == 0 && $OUT == "found 1 leases"$'"'"'\n'"'"'"$lid" ]]'
ew -o json lease list
check "lease list -o json: the gateway's answer" \
    eval '[[ $RC == 0 && $(json "len(v[\"leases\"])") == 1 ]]'
ew lease keep-alive --once "$lid"
expect "lease keep-alive --once: one refresh" 0 "lease $lid keepalived with TTL(300)"
ew lease revoke "$lid"
expect "lease revoke" 0 "lease $lid revoked"
ctl_capture get /lease --prefix --keys-only
check "...and its keys are gone (etcdctl)" eval '[[ $CTL_RC == 0 && -z $CTL ]]'
ew lease timetolive "$lid"
expect "lease timetolive of a revoked lease: already expired" 0 "lease $lid already expired"
ew lease revoke "$lid"
expect_fail "lease revoke again: etcd's error, exit 1" 1 \
    "Error:  etcdserver: requested lease not found"
ew lease keep-alive --once "$lid"
expect_fail "lease keep-alive --once of a revoked lease: exit 1" 1 \
    "Error:  etcdserver: requested lease not found"
ew -o json lease grant 60
check "lease grant -o json: the gateway's answer with ID and TTL" \
    eval '[[ $RC == 0 && $(json "v[\"TTL\"]") == 60 && -n $(json "v[\"ID\"]") ]]'
ew lease revoke "$(printf '%016x' "$(json 'v["ID"]')")"
check "...that lease revoked by its hex ID" eval '[[ $RC == 0 ]]'

# a managed keep-alive in the background keeps a key past its TTL
ew lease grant "$TTL"
kid=$(awk '{print $2}' <<<"$OUT")
ctl_capture put --lease="$kid" /lease/kept yes
setsid timeout -k 5 "$MAX" "${wrapper[@]}" "$EW" "${slow[@]}" lease keep-alive "$kid" \
    </dev/null >"$work/ka.out" 2>"$work/ka.err" &
ka_pid=$!
bg_pids+=("$ka_pid")
sleep "$((TTL * 2 + 2))"
ctl_capture get /lease/kept --print-value-only
check "a key on a ${TTL}s lease is still there after $((TTL * 2 + 2))s of keep-alive" \
    eval '[[ $CTL_RC == 0 && $CTL == yes ]]'
check "keep-alive printed etcdctl's line for each refresh (at least 3)" \
    eval '(( $(grep -c "^lease $kid keepalived with TTL($TTL)$" "$work/ka.out") >= 3 ))'
ew lease revoke "$kid"
expect "lease revoke while kept alive" 0 "lease $kid revoked"
ctl_capture get /lease/kept --print-value-only
check "...the key is gone (etcdctl)" eval '[[ $CTL_RC == 0 && -z $CTL ]]'
# the keep-alive notices at its next refresh (a third of the TTL) and ends by itself
for _ in $(seq 1 $((TTL * 10))); do
    etcd_env_alive "$ka_pid" || break
    sleep 0.2
done
wait "$ka_pid"
ka_rc=$?
check "...and keep-alive reports the lost lease and exits 1 by itself" \
    eval '[[ $ka_rc == 1 && $(tail -n 1 "$work/ka.out") == "lease $kid expired or revoked." ]]'

# SIGTERM ends a keep-alive normally
ew lease grant 300
sid=$(awk '{print $2}' <<<"$OUT")
setsid "${wrapper[@]}" "$EW" "${slow[@]}" lease keep-alive "$sid" \
    </dev/null >"$work/ka2.out" 2>"$work/ka2.err" &
ka2_pid=$!
bg_pids+=("$ka2_pid")
for _ in $(seq 1 $((T * 5))); do
    [[ -s $work/ka2.out ]] && break
    sleep 0.2
done
kill -TERM "$ka2_pid"
for _ in $(seq 1 $((T * 5))); do
    etcd_env_alive "$ka2_pid" || break
    sleep 0.2
done
wait "$ka2_pid"
ka2_rc=$?
check "lease keep-alive: SIGTERM ends it with status 0 after its first refresh" \
    eval '[[ $ka2_rc == 0 && $(head -n 1 "$work/ka2.out") == "lease $sid keepalived with TTL(300)" && ! -s $work/ka2.err ]]'
ew lease revoke "$sid"

# ---- auth: a user with read on /app/ can read but not write it ----------------------

rootpw="root-$RANDOM$RANDOM"
alicepw="alice-$RANDOM$RANDOM"
asroot() { ETCDWATCH_PASSWORD=$rootpw ew --user root "$@"; }

ew auth status
expect "auth status: disabled" 0 "Authentication Status: false"
ew auth enable
expect_fail "auth enable without a root user: etcd's refusal, exit 1" 1 \
    "Error:  etcdserver: root user does not exist"
ETCDWATCH_NEW_PASSWORD=$rootpw ew user add root
expect "user add root (password from the environment)" 0 "User root created"
ETCDWATCH_NEW_PASSWORD=x ew user add root
expect_fail "user add of an existing user: exit 1" 1 "Error:  etcdserver: user name already exists"
ew role add reader
expect "role add reader" 0 "Role reader created"
ew role grant-permission reader read /app/ --prefix
expect "role grant-permission reader read /app/ --prefix" 0 "Role reader updated"
ew role grant-permission reader readwrite /k
ew role grant-permission reader write /m /p
ew role grant-permission reader READ /z --from-key
expect "role grant-permission READ --from-key (type in any case)" 0 "Role reader updated"
ew role get reader
expect "role get: etcdctl's lines for a prefix, a key, a range and an open end" 0 \
    "Role reader
KV Read:
	[/app/, /app0) (prefix /app/)
	/k
	[/z, <open ended>
KV Write:
	/k
	[/m, /p)"
ew -o json role get reader
check "role get -o json: the gateway's answer, keys decoded" \
    eval '[[ $RC == 0 && $(json "[p[\"key\"] for p in v[\"perm\"]]") == "[\"/app/\", \"/k\", \"/m\", \"/z\"]" ]]'
ew user add carl --no-password
expect "user add --no-password" 0 "User carl created"
ew user get carl
expect "user get of a user without a password" 0 "User: carl"$'\n'"Roles:"
ew user delete carl
expect "user delete carl" 0 "User carl deleted"
printf '%s\n' "$alicepw" >"$work/alicepw"
STDIN=$work/alicepw ew user add alice --password-stdin
expect "user add alice --password-stdin" 0 "User alice created"
ew user grant-role alice reader
expect "user grant-role alice reader" 0 "Role reader is granted to user alice"
ew user grant-role alice nope
expect_fail "user grant-role of a missing role: exit 1" 1 "Error:  etcdserver: role name not found"
ew user get alice
expect "user get alice" 0 "User: alice
Roles: reader"
ew user get --detail alice
expect "user get --detail alice: each role as role get" 0 "User: alice

Role reader
KV Read:
	[/app/, /app0) (prefix /app/)
	/k
	[/z, <open ended>
KV Write:
	/k
	[/m, /p)"
ew user list
expect "user list" 0 "alice
root"
ew auth enable
expect "auth enable (the root role is given to root, as etcdctl does)" 0 \
    "Authentication Enabled"
ew user list
expect_fail "user list without credentials once auth is on: exit 1" 1 "Error:  etcdserver: *"
ETCDWATCH_PASSWORD=wrong ew --user root user list
expect_fail "a wrong root password: exit 1, one line" 1 "Error:  *"
asroot auth status
expect "auth status as root: enabled" 0 "Authentication Status: true"
asroot role list
expect "role list as root: reader and root" 0 "reader
root"
ETCDCTL_USER=root:$rootpw ctl_capture put /app/x hello
ETCDCTL_USER=alice:$alicepw ctl_capture get /app/x --print-value-only
check "alice reads /app/x (etcdctl --user)" eval '[[ $CTL_RC == 0 && $CTL == hello ]]'
ETCDCTL_USER=alice:$alicepw ctl_capture put /app/x nope
check "alice cannot write /app/x: permission denied" \
    eval '[[ $CTL_RC != 0 && $CTL == *"Error: etcdserver: permission denied"* ]]'
ETCDWATCH_PASSWORD=$alicepw ew --user alice role list
expect_fail "alice is not root: the role list is refused, exit 1" 1 \
    "Error:  etcdserver: permission denied"
newpw="new-$RANDOM$RANDOM"
ETCDWATCH_NEW_PASSWORD=$newpw asroot user passwd alice
expect "user passwd alice" 0 "Password updated"
ETCDCTL_USER=alice:$alicepw ctl_capture get /app/x --print-value-only
check "alice's old password no longer works" eval '[[ $CTL_RC != 0 ]]'
ETCDCTL_USER=alice:$newpw ctl_capture get /app/x --print-value-only
check "...her new one does" eval '[[ $CTL_RC == 0 && $CTL == hello ]]'
ETCDWATCH_NEW_PASSWORD=x asroot user passwd nobody
expect_fail "user passwd of a missing user: exit 1" 1 "Error:  etcdserver: user name not found"
asroot role revoke-permission reader /app/ --prefix
expect "role revoke-permission --prefix: etcdctl's line" 0 \
    "Permission of range [/app/, /app0) is revoked from role reader"
ETCDCTL_USER=alice:$newpw ctl_capture get /app/x --print-value-only
check "...and alice can no longer read /app/x" \
    eval '[[ $CTL_RC != 0 && $CTL == *"permission denied"* ]]'
asroot role revoke-permission reader /app/ --prefix
expect_fail "revoking it again: etcd's refusal, exit 1" 1 \
    "Error:  etcdserver: permission is not granted to the role"
asroot role revoke-permission reader /k
expect "role revoke-permission of a key" 0 "Permission of key /k is revoked from role reader"
asroot role revoke-permission reader /m /p
expect "role revoke-permission of a range" 0 \
    "Permission of range [/m, /p) is revoked from role reader"
asroot role revoke-permission reader /z --from-key
expect "role revoke-permission --from-key" 0 \
    "Permission of range [/z, <open ended> is revoked from role reader"
asroot user revoke-role alice reader
expect "user revoke-role" 0 "Role reader is revoked from user alice"
asroot -o json user get alice
check "user get -o json: the gateway's answer" eval '[[ $RC == 0 && $(json "\"header\" in v") == true ]]'
asroot user delete alice
expect "user delete" 0 "User alice deleted"
asroot user get alice
expect_fail "user get of a deleted user: exit 1" 1 "Error:  etcdserver: user name not found"
asroot -o json user get alice
check "...-o json: the error object on stdout too" \
    eval '[[ $RC == 1 && $(json "v[\"code\"]") == 9 ]]'
asroot role delete reader
expect "role delete" 0 "Role reader deleted"
asroot role get reader
expect_fail "role get of a deleted role: exit 1" 1 "Error:  etcdserver: role name not found"
asroot auth disable
expect "auth disable" 0 "Authentication Disabled"
ew auth status
expect "auth status: disabled again" 0 "Authentication Status: false"
ew user delete root
expect "user delete root" 0 "User root deleted"

# =====================================================================================
# members and endpoints on a three-member cluster
# =====================================================================================

etcd_cluster_start v3c 3 || exit 1
export ETCDWATCH_ENDPOINTS=$ETCD_V3C_ENDPOINTS
IFS=, read -r -a urls <<<"$ETCD_V3C_ENDPOINTS"
read -r -a pids <<<"$ETCD_V3C_PIDS"

ew member list
check "member list: etcdctl's lines for three started voters" \
    eval '[[ $RC == 0 && $(grep -cE "^[0-9a-f]+, started, v3c[123], http://127.0.0.1:[0-9]+, http://127.0.0.1:[0-9]+, false$" <<<"$OUT") == 3 && $(wc -l <<<"$OUT") == 3 ]]'
for i in 1 2 3; do
    check "member list names v3c$i with its client URL" \
        eval '[[ $OUT == *", v3c$i, "*", ${urls[i - 1]}, false"* ]]'
done
ew -o json member list
check "member list -o json: the gateway's answer, three members" \
    eval '[[ $RC == 0 && $(json "len(v[\"members\"])") == 3 ]]'
ew endpoint status --cluster
check "endpoint status --cluster: etcdctl's line for each member, one leader" \
    eval '[[ $RC == 0 && $(grep -cE "^http://127.0.0.1:[0-9]+, [0-9a-f]+, 3\.[0-9.]+, [0-9.]+ k?B, (true|false), false, [0-9]+, [0-9]+, [0-9]+, $" <<<"$OUT") == 3 && $(grep -c ", true, false, " <<<"$OUT") == 1 ]]'
ew endpoint status
check "endpoint status: one line per --endpoints URL, in their order" \
    eval '[[ $RC == 0 && $(cut -d, -f1 <<<"$OUT" | paste -sd,) == "$ETCD_V3C_ENDPOINTS" ]]'
ew -o json endpoint status --cluster
check "endpoint status -o json: one {Endpoint, Status} object per line" \
    eval '[[ $RC == 0 && $(wc -l <<<"$OUT") == 3 && $(json "sorted(x[\"Endpoint\"] for x in v) == sorted(\"$ETCD_V3C_ENDPOINTS\".split(\",\"))") == true && $(json "all(\"raftIndex\" in x[\"Status\"] for x in v)") == true ]]'
ew endpoint health --cluster
check "endpoint health --cluster: three healthy lines, exit 0" \
    eval '[[ $RC == 0 && $(grep -cE "^http://127.0.0.1:[0-9]+ is healthy: successfully committed proposal: took = [0-9.]+(ns|µs|ms|s)$" <<<"$OUT") == 3 && -z $ERR ]]'
ew -o json endpoint health
check "endpoint health -o json: one object per endpoint, all healthy" \
    eval '[[ $RC == 0 && $(json "[x[\"health\"] for x in v]") == "[true, true, true]" ]]'

# a fourth member as a learner: etcd refuses an add for a few seconds after a start
etcd_free_port
p4=$ETCD_FREE_PORT
etcd_free_port
p4b=$ETCD_FREE_PORT
etcd_free_port
c4=$ETCD_FREE_PORT
retry_while "*unhealthy cluster*" member add v3c4 --learner --peer-urls "http://127.0.0.1:$p4"
check "member add --learner: etcdctl's line" \
    eval '[[ $RC == 0 && $(head -n 1 <<<"$OUT") =~ ^"Member "$ID16" added as learner to cluster "$ID16$ ]]'
id4=$(head -n 1 <<<"$OUT" | awk '{print $2}')
initial=$(sed -n 's/^ETCD_INITIAL_CLUSTER="\(.*\)"$/\1/p' <<<"$OUT")
check "...then the settings to start it with" \
    eval '[[ $(tail -n +2 <<<"$OUT") == "
ETCD_NAME=\"v3c4\"
ETCD_INITIAL_CLUSTER=\"$initial\"
ETCD_INITIAL_ADVERTISE_PEER_URLS=\"http://127.0.0.1:$p4\"
ETCD_INITIAL_CLUSTER_STATE=\"existing\"" && $initial == *"v3c4=http://127.0.0.1:$p4"* && $initial == *v3c1=* && $initial == *v3c2=* && $initial == *v3c3=* ]]'
ew member list
check "member list: the learner, unstarted" \
    eval '[[ $(wc -l <<<"$OUT") == 4 && $OUT == *"$id4, unstarted, , http://127.0.0.1:$p4, , true"* ]]'
ew member promote "$id4"
expect_fail "member promote of an unstarted learner: etcd's refusal, exit 1" 1 \
    "Error:  etcdserver: can only promote a learner member which is in sync with leader"

dir4=$ETCD_TEST_DIR/v3c4
mkdir -p "$dir4"
etcd --name v3c4 --data-dir "$dir4/data" \
    --listen-client-urls "http://127.0.0.1:$c4" --advertise-client-urls "http://127.0.0.1:$c4" \
    --listen-peer-urls "http://127.0.0.1:$p4,http://127.0.0.1:$p4b" \
    --initial-advertise-peer-urls "http://127.0.0.1:$p4" \
    --initial-cluster "$initial" --initial-cluster-state existing \
    --logger zap --log-level warn --log-outputs stderr </dev/null >"$dir4/etcd.log" 2>&1 &
pid4=$!
ETCD_ENV_PIDS+=("$pid4")
for _ in $(seq 1 100); do
    ew member list
    [[ $OUT == *"$id4, started, v3c4, "* ]] && break
    sleep 0.3
done
check "the learner started with --initial-cluster-state existing" \
    eval '[[ $OUT == *"$id4, started, v3c4, http://127.0.0.1:$p4, http://127.0.0.1:$c4, true"* ]]'
retry_while "*in sync with leader*" member promote "$id4"
check "member promote once it caught up: etcdctl's line" \
    eval '[[ $RC == 0 && $OUT =~ ^"Member "" "*"$id4 promoted in cluster "$ID16$ ]]'
# etcd 3.4 lists members from the member asked, which may apply the promotion a
# moment after the leader answered it
for _ in $(seq 1 50); do
    ew member list
    [[ $(grep -c ", false$" <<<"$OUT") == 4 ]] && break
    sleep 0.2
done
check "member list: four voters" \
    eval '[[ $(grep -c ", false$" <<<"$OUT") == 4 && $OUT == *"$id4, started, v3c4, http://127.0.0.1:$p4, http://127.0.0.1:$c4, false"* ]]'
ew endpoint health --cluster
check "endpoint health --cluster: four healthy" \
    eval '[[ $RC == 0 && $(grep -c " is healthy: " <<<"$OUT") == 4 ]]'
retry_while "*unhealthy cluster*" member update "$id4" --peer-urls "http://127.0.0.1:$p4b"
check "member update: etcdctl's line" \
    eval '[[ $RC == 0 && $OUT =~ ^"Member "" "*"$id4 updated in cluster "$ID16$ ]]'
ew member list
check "member list shows the new peer URL" \
    eval '[[ $OUT == *"$id4, started, v3c4, http://127.0.0.1:$p4b, "* ]]'
retry_while "*unhealthy cluster*" member remove "$id4"
check "member remove: etcdctl's line" \
    eval '[[ $RC == 0 && $OUT =~ ^"Member "" "*"$id4 removed from cluster "$ID16$ ]]'
ew member list
check "member list: three again" eval '[[ $(wc -l <<<"$OUT") == 3 && $OUT != *"$id4"* ]]'
voter=$(head -n 1 <<<"$OUT" | cut -d, -f1)
kill "$pid4" 2>/dev/null
wait "$pid4" 2>/dev/null
ew member remove ffff
expect_fail "member remove of a missing member: exit 1" 1 "Error:  etcdserver: member not found"
ew member promote "$voter"
expect_fail "member promote of a voter: exit 1" 1 \
    "Error:  etcdserver: can only promote a learner member"

# one member killed: its line says unhealthy, the others healthy, exit 1
dead=${urls[2]}
kill "${pids[2]}"
wait "${pids[2]}" 2>/dev/null
ew --endpoints "${urls[0]}" endpoint health --cluster
check "endpoint health --cluster with one killed: two healthy on stdout, exit 1" \
    eval '[[ $RC == 1 && $(grep -c " is healthy: " <<<"$OUT") == 2 && $OUT != *"$dead"* ]]'
check "...the dead one's line on stderr, then 'unhealthy cluster'" \
    eval '[[ $ERR == "$dead is unhealthy: failed to commit proposal: "*$'"'"'\n'"'"'"Error:  unhealthy cluster" && $(wc -l <<<"$ERR") == 2 ]]'
ew --endpoints "${urls[0]}" endpoint status --cluster
check "endpoint status --cluster with one killed: two lines, an Error for it, exit 1" \
    eval '[[ $RC == 1 && $(wc -l <<<"$OUT") == 2 && $ERR == "Error:  failed to get the status of endpoint $dead ("*")" && $ERR != *$'"'"'\n'"'"'* ]]'
ew --endpoints "$dead" endpoint health
check "endpoint health of the dead endpoint alone: unhealthy, exit 1" \
    eval '[[ $RC == 1 && -z $OUT && $ERR == "$dead is unhealthy: failed to commit proposal: "* ]]'

finish
