#!/usr/bin/env bash
# Failures of one resource, in watch mode, with five resources in one watcher: a failing
# check_cmd, a check_cmd that hangs past its check_timeout, a template error (at
# execution, and a template that no longer parses), an unwritable dest directory, a
# missing template file, and a reload_cmd that hangs past its reload_timeout. Each gives
# a clear error in the log, leaves the previous good file untouched (a reload failure:
# the file stays the new one), leaves no stage file and no stray process, and the next
# good change renders.
#
# usage: test_failures.sh PATH/TO/etcdwatch
#
# Root ignores directory permissions: when run as root the watcher runs as nobody
# (setpriv), in a directory nobody can reach.
set -uo pipefail
SVC_NAME=service
SVC_TIME_LIMIT=${SVC_TIME_LIMIT:-180}
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

svc_start_etcd fail 1
B=$(mktemp -d "${TMPDIR:-/tmp}/etcdwatch-svc.XXXXXX")
svc_dirs+=("$B")
chmod 755 "$B"
C=$B/confdir
OUT=$B/out
mkdir -p "$C/conf.d" "$C/templates" "$OUT" "$B/locked"
as_user=()
if ((EUID == 0)); then
    command -v setpriv >/dev/null || {
        not_ok "setpriv (util-linux) is needed to run the watcher as nobody"
        svc_finish
    }
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
    chown 65534:65534 "$OUT" "$B/locked"
fi
cp "$EW" "$B/etcdwatch"

# The check: rejects a file holding BAD, saying so on its output; hangs on HANG.
cat >"$B/check.sh" <<'EOF'
if grep -q HANG "$1"; then
    exec sleep 29.25
fi
if grep -q BAD "$1"; then
    echo "rejected: BAD value in the staged file"
    exit 3
fi
EOF
# The reload: hangs while the file says HANG; logs every completed reload.
cat >"$B/reload.sh" <<'EOF'
if grep -q HANG "$1"; then
    exec sleep 29.75
fi
echo "reloaded $(cat "$1")" >>"$2"
EOF
touch "$B/reloads.log"
chmod 666 "$B/reloads.log"

resource() { # resource NAME DEST [EXTRA LINES]: conf.d/NAME.toml over /f/NAME
    cat >"$C/conf.d/$1.toml" <<EOF
[template]
src = "$1.tmpl"
dest = "$2"
prefix = "/f/$1"
keys = ["/"]
${3:-}
EOF
    printf 'value={{getv "/v"}}\n' >"$C/templates/$1.tmpl"
}
resource check "$OUT/check.txt" "check_cmd = \"sh $B/check.sh {{.src}}\"
check_timeout = 1
reload_cmd = \"sh $B/reload.sh {{.dest}} $B/reloads.log\""
resource tmpl "$OUT/tmpl.txt"
resource dir "$B/locked/dir.txt"
resource missing "$OUT/missing.txt"
resource hang "$OUT/hang.txt" "reload_cmd = \"sh $B/reload.sh {{.dest}} $B/reloads.log\"
reload_timeout = 1"
chmod -R a+rX "$C" "$B"/*.sh
for r in check tmpl dir missing hang; do
    put "/f/$r/v" good1
done
write_conf "$B/etcdwatch.conf" "$EP" "$C"
chmod 644 "$B/etcdwatch.conf"

"${as_user[@]}" "$B/etcdwatch" run --config "$B/etcdwatch.conf" \
    >"$SVC_DIR/watcher.out" 2>"$SVC_DIR/watcher.log" </dev/null &
W=$!
svc_pids+=("$W")
all_good1() {
    local r
    for r in check tmpl missing hang; do
        has_text "$OUT/$r.txt" "value=good1" || return 1
    done
    has_text "$B/locked/dir.txt" "value=good1"
}
check "the watcher (as $( ((EUID == 0)) && echo nobody || id -un)) renders the five resources at start" \
    wait_for 10 all_good1
check "the reloads of check and hang ran once each" \
    wait_for 3 eval '[[ $(grep -c "reloaded value=good1" "$B/reloads.log") == 2 ]]'

# log_since N: the watcher's log after its first N lines.
log_lines() { wc -l <"$SVC_DIR/watcher.log"; }
log_since() { tail -n +"$(($1 + 1))" "$SVC_DIR/watcher.log"; }
logged_since() { # logged_since N REGEX...: every REGEX is in the log after line N
    local n=$1 re
    shift
    for re in "$@"; do
        log_since "$n" | grep -qE -- "$re" || return 1
    done
}
no_stage() { no_stale_stage "$OUT" "$B/locked"; }
holds() { # holds RESOURCE-DEST VALUE: the dest holds exactly value=VALUE
    [[ -f $1 && $(cat "$1") == "value=$2" ]]
}
# error_then_good NAME DEST: after a failure of resource NAME, checks that the dest is
# untouched and no stage file is left, then that the next good change renders.
untouched_then_good() {
    local name=$1 dest=$2 value=$3
    check "$name: the previous good file is untouched" holds "$dest" "$value"
    check "$name: no stage file left" no_stage
}

# ---- a failing check_cmd ----------------------------------------------------------
n=$(log_lines)
put /f/check/v BAD
if wait_for 5 logged_since "$n" "ERROR check.toml: check failed for $OUT/check.txt" \
    "rejected: BAD value in the staged file"; then
    ok "check_cmd fails: ERROR naming the resource, dest, command and its output (${WAITED_MS} ms)"
else
    not_ok "check_cmd fails: ERROR naming the resource, dest, command and its output"
fi
log_since "$n" | grep -m1 'check failed' | sed 's/^/    | /'
sleep 0.3
untouched_then_good check "$OUT/check.txt" good1
check "check: no reload after the failed check" \
    test "$(grep -c 'reloaded' "$B/reloads.log")" = 2
put /f/check/v good2
check "check: the next good change renders and reloads" \
    wait_for 5 eval 'holds "$OUT/check.txt" good2 && grep -q "reloaded value=good2" "$B/reloads.log"'

# ---- a check_cmd that hangs past its check_timeout ------------------------------------
n=$(log_lines)
put /f/check/v HANG
if wait_for 8 logged_since "$n" "ERROR check.toml: check failed for $OUT/check.txt .*timed out after 1 s"; then
    ok "hanging check_cmd: ERROR 'check failed ... timed out after 1 s (killed)' (${WAITED_MS} ms)"
else
    not_ok "hanging check_cmd: ERROR 'check failed ... timed out after 1 s (killed)'"
fi
check "hanging check: the check was killed with its process group (no sleep left)" \
    wait_for 3 eval '! pgrep -f "sleep 29.25" >/dev/null'
untouched_then_good check "$OUT/check.txt" good2
put /f/check/v good2b
check "check: after the hanging check, the next good change renders" \
    wait_for 8 holds "$OUT/check.txt" good2b
sleep 1.5
check "check: no hanging check left behind" eval '! pgrep -f "sleep 29.25" >/dev/null'

# ---- a template error at execution (a key the template needs is gone) ---------------
n=$(log_lines)
del /f/tmpl/v
if wait_for 5 logged_since "$n" "ERROR tmpl.toml: .*tmpl.tmpl:1:[0-9]+.*(not exist|not found).*$OUT/tmpl.txt left untouched"; then
    ok "template execution error: ERROR with the template's line:col and the key (${WAITED_MS} ms)"
else
    not_ok "template execution error: ERROR with the template's line:col and the key"
fi
log_since "$n" | grep -m1 ERROR | sed 's/^/    | /'
sleep 0.3
untouched_then_good tmpl "$OUT/tmpl.txt" good1
put /f/tmpl/v good2
check "tmpl: the next good change renders" wait_for 5 holds "$OUT/tmpl.txt" good2

# ---- a template that no longer parses -------------------------------------------------
n=$(log_lines)
printf 'value={{getv "/v"}}\n{{if}}\n' >"$C/templates/tmpl.tmpl"
put /f/tmpl/v good3
if wait_for 5 logged_since "$n" "ERROR tmpl.toml: .*tmpl.tmpl:2.*$OUT/tmpl.txt left untouched"; then
    ok "template parse error: ERROR with the template's name and line (${WAITED_MS} ms)"
else
    not_ok "template parse error: ERROR with the template's name and line"
fi
log_since "$n" | grep -m1 ERROR | sed 's/^/    | /'
sleep 0.3
untouched_then_good tmpl "$OUT/tmpl.txt" good2
printf 'value={{getv "/v"}}\n' >"$C/templates/tmpl.tmpl"
put /f/tmpl/v good4
check "tmpl: once the template is fixed, the next good change renders" \
    wait_for 5 holds "$OUT/tmpl.txt" good4

# ---- an unwritable dest directory -------------------------------------------------
n=$(log_lines)
chmod 555 "$B/locked"
put /f/dir/v good2
if wait_for 5 logged_since "$n" "ERROR dir.toml: .*$B/locked.*Permission denied"; then
    ok "unwritable dest directory: ERROR naming the directory and the reason (${WAITED_MS} ms)"
else
    not_ok "unwritable dest directory: ERROR naming the directory and the reason"
fi
log_since "$n" | grep -m1 ERROR | sed 's/^/    | /'
sleep 0.3
untouched_then_good dir "$B/locked/dir.txt" good1
chmod 755 "$B/locked"
put /f/dir/v good3
check "dir: once writable, the next good change renders" \
    wait_for 5 holds "$B/locked/dir.txt" good3

# ---- a missing template file ------------------------------------------------------------
n=$(log_lines)
mv "$C/templates/missing.tmpl" "$B/missing.tmpl.away"
put /f/missing/v good2
if wait_for 5 logged_since "$n" "ERROR missing.toml: .*missing.tmpl.*No such file.*$OUT/missing.txt left untouched"; then
    ok "missing template file: ERROR naming the template and the reason (${WAITED_MS} ms)"
else
    not_ok "missing template file: ERROR naming the template and the reason"
fi
log_since "$n" | grep -m1 ERROR | sed 's/^/    | /'
sleep 0.3
untouched_then_good missing "$OUT/missing.txt" good1
mv "$B/missing.tmpl.away" "$C/templates/missing.tmpl"
put /f/missing/v good3
check "missing: once the template is back, the next good change renders" \
    wait_for 5 holds "$OUT/missing.txt" good3

# ---- a reload_cmd that hangs past its reload_timeout --------------------------------
n=$(log_lines)
put /f/hang/v HANG
t=$(now_ms)
if wait_for 8 logged_since "$n" "ERROR hang.toml: reload of $OUT/hang.txt failed .*timed out after 1 s"; then
    ok "hanging reload: ERROR 'reload ... failed (...): timed out after 1 s (killed)' after $(($(now_ms) - t)) ms (reload_timeout 1 s)"
else
    not_ok "hanging reload: ERROR 'reload ... failed (...): timed out after 1 s (killed)'"
fi
log_since "$n" | grep -m1 ERROR | sed 's/^/    | /'
check "hang: the hanging command was killed with its process group (no sleep left)" \
    wait_for 3 eval '! pgrep -f "sleep 29.75" >/dev/null'
check "hang: the failed reload is reported as retried" \
    wait_for 3 logged_since "$n" "WARN hang.toml: reload retried in [0-9]+ ms"
check "hang: the file holds the checked new contents (a reload failure does not undo it)" \
    holds "$OUT/hang.txt" HANG
check "hang: no stage file left" no_stage
# the other resources still work while the reload is retried
put /f/check/v good3
check "while the reload is failing, another resource still renders" \
    wait_for 8 holds "$OUT/check.txt" good3
put /f/hang/v good2
check "hang: the next good change renders and its reload succeeds" \
    wait_for 8 eval 'holds "$OUT/hang.txt" good2 && grep -q "reloaded value=good2" "$B/reloads.log"'
sleep 1
check "hang: no sleep left behind" eval '! pgrep -f "sleep 29.75" >/dev/null'
n=$(log_lines)
sleep 2
check "hang: the retries stopped once a reload succeeded" \
    eval '! log_since "$n" | grep -q "hang.toml: reload"'

check "the watcher ran through every failure" alive "$W"
check "every log line is one event with its level" log_lines_are_events watcher
stop_pid "$W" 2
check "SIGTERM: exit 0 in ${STOP_MS} ms" test "$STOP_STATUS" = 0
check "no stage files left at the end" \
    test -z "$(find "$OUT" "$B/locked" -name '.*' -type f 2>/dev/null)"
svc_finish
