#!/usr/bin/env bash
# A confd confdir, brought unchanged, renders in onetime mode exactly what confd renders;
# and `etcdwatch check-config` reports every problem with its file:line.
#
# With SVC_API=v3 the keys are written with v3 (which has no directories: the docs'
# mkdir commands are left out, the keys below them make them), the quick start's command
# says `-backend etcdv3`, and the later runs, which name no backend, find v3 by
# themselves (api = auto); with v2 they find v2 (its keyspace holds the keys, v3's not).
#
# usage: [SVC_API=v3] test_confd.sh PATH/TO/etcdwatch
#
# confd/ holds confd's documented examples (docs/quick-start-guide.md and
# docs/templates.md of kelseyhightower/confd): TOML resources in conf.d/, templates in
# templates/, the docs' etcdctl commands in `keys`. expected/ holds what confd writes
# for them: Go's text/template output with confd's functions, computed by the oracle of
# tests/template/gen (the docs' own "Output:" blocks drop the blank lines that {{range}}
# leaves, so they are not byte-exact). Changes from the docs, each forced: dest "/tmp/X"
# becomes this run's directory; the advanced example's check_cmd (`nginx -t` on a
# fragment that is no nginx.conf) and reload_cmd (`service nginx reload`) become a grep
# and a line appended to a log; its `owner = "nginx"` is dropped (no such user on
# Debian); getv "/test/data/" and "/services/data/" lose the trailing slash that makes
# confd fail with "key does not exist".
set -uo pipefail
SVC_NAME=service
SVC_TIME_LIMIT=${SVC_TIME_LIMIT:-120}
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
read -r -a wrapper <<<"${ETCD_TEST_WRAPPER:-}"

svc_start_etcd confd 1
CONFD=$SVC_HERE/confd
OUT=$SVC_DIR/out
CONFDIR=$SVC_DIR/confdir
mkdir -p "$OUT"
cp -r "$CONFD" "$CONFDIR"
sed -i "s#/tmp/#$OUT/#g" "$CONFDIR"/conf.d/*.toml

# The docs' etcdctl commands.
seeded=1
while read -r op key value; do
    case $op in
    set) put "$key" "$value" || seeded=0 ;;
    mkdir)
        if [[ $SVC_API == v2 ]]; then
            curl -sf -m 5 -X PUT "$EP/v2/keys$key?dir=true" -o /dev/null || seeded=0
        fi
        ;;
    esac
done < <(grep -v '^#' "$CONFD/keys")
check "the keys of confd's documented examples are in etcd ($SVC_API)" test "$seeded" = 1

# ew ARGS...: etcdwatch in the foreground, bounded; OUT_TEXT, ERR_TEXT, RC.
ew() {
    timeout -k 5 30 "${wrapper[@]}" "$EW" "$@" >"$SVC_DIR/ew.out" 2>"$SVC_DIR/ew.err" </dev/null
    RC=$?
    OUT_TEXT=$(cat "$SVC_DIR/ew.out")
    ERR_TEXT=$(cat "$SVC_DIR/ew.err")
}

# ---- onetime, as the quick start runs confd ----------------------------------------
cd "$OUT" || exit 1
backend=etcd
[[ $SVC_API == v3 ]] && backend=etcdv3
start=$(now_ms)
ew run -onetime -backend "$backend" -node "$EP" -confdir "$CONFDIR"
took=$(($(now_ms) - start))
check "confd's flags (run -onetime -backend $backend -node -confdir) exits 0 in ${took} ms" \
    test "$RC" = 0
[[ $RC == 0 ]] || echo "$ERR_TEXT" | sed 's/^/    | /'
for f in "$CONFD"/expected/*; do
    name=$(basename "$f")
    if same_file "$f" "$OUT/$name"; then
        ok "onetime: $name is byte for byte what confd renders"
    else
        not_ok "onetime: $name is byte for byte what confd renders"
        diff -u "$f" "$OUT/$name" 2>&1 | head -20 | sed 's/^/    | /'
    fi
done
modes_ok=1
for name in myapp.conf yourapp.conf myconfig.conf; do
    [[ $(stat -c %a "$OUT/$name" 2>/dev/null) == 644 ]] || modes_ok=0
done
check "dest files have mode 0644 (the resource's mode, else confd's default)" \
    test "$modes_ok" = 1
reloads=$(cat "$OUT/reloads.log" 2>/dev/null)
check "check_cmd passed and reload_cmd ran once for each of the two advanced resources" \
    test "$reloads" = "reload $OUT/myapp.conf
reload $OUT/yourapp.conf"
check "no stage files (.NAME*) left in the dest directory" \
    test -z "$(find "$OUT" -name '.*' -type f)"

# ---- a second run: everything in sync, nothing written, nothing reloaded -----------
before=$(stat -c '%i %Y' "$OUT"/*.conf "$OUT"/*.txt | md5sum)
sleep 1.1 # a rewrite would show in the mtime
ew run --onetime --confdir "$CONFDIR" --node "$EP"
after=$(stat -c '%i %Y' "$OUT"/*.conf "$OUT"/*.txt | md5sum)
check "second onetime run exits 0" test "$RC" = 0
check "second onetime run (no backend named: api auto) reads $SVC_API, and says why" \
    eval '[[ $ERR_TEXT == *"api auto: reading $EP with $SVC_API: "* ]]'
check "second onetime run rewrites no file (inode and mtime unchanged)" \
    test "$before" = "$after"
check "second onetime run reloads nothing (dest in sync)" \
    test "$(wc -l <"$OUT/reloads.log")" = 2

# ---- one key changes: only its resources change and reload --------------------------
put /myapp/upstream/app3 10.0.1.99:80
ew run --onetime --confdir "$CONFDIR" --node "$EP"
check "after a change, onetime exits 0" test "$RC" = 0
check "after a change, myapp.conf lists the new upstream first (getvs sorts by value)" \
    grep -qzF "upstream myapp {

    server 10.0.1.99:80;

    server 10.0.1.100:80;" "$OUT/myapp.conf"
check "after a change, only myapp.conf reloaded" \
    test "$(tail -n 1 "$OUT/reloads.log")" = "reload $OUT/myapp.conf" -a \
    "$(wc -l <"$OUT/reloads.log")" = 3
check "after a change, yourapp.conf is still what confd renders" \
    same_file "$CONFD/expected/yourapp.conf" "$OUT/yourapp.conf"

# ---- --noop: a unified diff on stdout, nothing touched ------------------------------
del /myapp/upstream/app3
cp "$OUT/myapp.conf" "$SVC_DIR/myapp.before"
ew run --onetime --noop --confdir "$CONFDIR" --node "$EP"
check "--noop exits 0" test "$RC" = 0
check "--noop prints a unified diff of myapp.conf removing the upstream" \
    eval '[[ $OUT_TEXT == *"--- $OUT/myapp.conf"* && $OUT_TEXT == *"-    server 10.0.1.99:80;"* ]]'
check "--noop leaves myapp.conf as it was and reloads nothing" \
    eval 'same_file "$SVC_DIR/myapp.before" "$OUT/myapp.conf" && [[ $(wc -l <"$OUT/reloads.log") == 3 ]]'

# ---- onetime with one failing resource: the others render, exit 1 ------------------
BAD=$SVC_DIR/confdir-bad
cp -r "$CONFDIR" "$BAD"
rm -f "$OUT"/*.conf "$OUT"/*.txt
cat >"$BAD/conf.d/broken.toml" <<EOF
[template]
src = "broken.tmpl"
dest = "$OUT/broken.conf"
keys = ["/nothing"]
EOF
printf 'x = {{getv "/nothing/here"}}\n' >"$BAD/templates/broken.tmpl"
ew run --onetime --confdir "$BAD" --node "$EP"
check "onetime with a failing resource exits 1" test "$RC" = 1
check "the failure names the resource and the missing key" \
    eval '[[ $ERR_TEXT == *broken.toml* && $ERR_TEXT == */nothing/here* ]]'
n=0
for f in "$CONFD"/expected/*; do
    same_file "$f" "$OUT/$(basename "$f")" && n=$((n + 1))
done
check "onetime with a failing resource still renders the 7 others ($n)" test "$n" = 7
check "the failed resource's dest is not created" test ! -e "$OUT/broken.conf"

# ---- onetime: a failed reload is a failure; an unreachable etcd ends, with status 1 ----
R=$SVC_DIR/confdir-reload
mkdir -p "$R/conf.d" "$R/templates"
cp "$CONFDIR/templates/myconfig.conf.tmpl" "$R/templates/"
cat >"$R/conf.d/myconfig.toml" <<EOF
[template]
src = "myconfig.conf.tmpl"
dest = "$OUT/myconfig-reload.conf"
keys = ["/myapp/database"]
reload_cmd = "echo reload refused; exit 4"
EOF
ew run --onetime --confdir "$R" --node "$EP"
check "onetime with a failing reload_cmd: exit 1, the reload's failure logged" \
    eval '[[ $RC == 1 && $ERR_TEXT == *"reload of $OUT/myconfig-reload.conf failed"*"reload refused"* ]]'
check "onetime with a failing reload_cmd: no retry announced (nothing runs after onetime)" \
    eval '[[ $ERR_TEXT != *"retried"* ]]'
cp "$OUT/myconfig-reload.conf" "$SVC_DIR/reload.before"
etcd_free_port
start=$(now_ms)
ew --timeout 1 run --onetime --confdir "$R" --node "http://127.0.0.1:$ETCD_FREE_PORT"
took=$(($(now_ms) - start))
check "onetime with etcd unreachable: exit 1 in ${took} ms (gives up, not retried forever)" \
    eval '[[ $RC == 1 ]] && ((took < 15000))'
check "onetime with etcd unreachable: says which prefix could not be read and what was not rendered" \
    eval '[[ $ERR_TEXT == *"read of /myapp/database failed"* && $ERR_TEXT == *"myconfig-reload.conf not rendered"* ]]'
check "onetime with etcd unreachable: the dest is untouched" \
    same_file "$SVC_DIR/reload.before" "$OUT/myconfig-reload.conf"

# ---- check-config -------------------------------------------------------------------
write_conf "$SVC_DIR/good.conf" "$EP" "$CONFDIR"
ew check-config --config "$SVC_DIR/good.conf"
check "check-config on confd's confdir: exit 0, '7 resources, no problems'" \
    eval '[[ $RC == 0 && $OUT_TEXT == *"7 resources, no problems"* ]]'

# Every kind of problem at once, each reported with its file:line.
P=$SVC_DIR/problems
mkdir -p "$P/conf.d" "$P/templates"
cat >"$SVC_DIR/bad.conf" <<EOF
[etcd]
endpoints = $EP
# line 3
colour = blue
[watcher]
confdir = $P
interval = soon
EOF
cat >"$P/conf.d/a-good.toml" <<EOF
[template]
src = "good.tmpl"
dest = "$OUT/same.conf"
keys = ["/a"]
EOF
cat >"$P/conf.d/b-same-dest.conf" <<EOF
src = "good.tmpl";
dest = "$OUT/same.conf";
keys = ["/b"];
EOF
cat >"$P/conf.d/c-unknown.toml" <<EOF
[template]
src = "good.tmpl"
dest = "$OUT/c.conf"

keys = ["/c"]
flavour = "vanilla"
EOF
cat >"$P/conf.d/d-syntax.conf" <<EOF
src = "good.tmpl";
dest = "$OUT/d.conf";
keys = ["/d";
EOF
cat >"$P/conf.d/e-template.toml" <<EOF
[template]
src = "broken.tmpl"
dest = "$OUT/e.conf"
keys = ["/e"]
EOF
cat >"$P/conf.d/f-missing.toml" <<EOF
[template]
src = "no-such.tmpl"
dest = "$OUT/f.conf"
keys = ["/f"]
EOF
cat >"$P/conf.d/g-types.toml" <<EOF
[template]
src = "good.tmpl"
dest = "$OUT/g.conf"
keys = "/g"
mode = "rw"
EOF
printf 'ok {{getv "/a"}}\n' >"$P/templates/good.tmpl"
printf 'line one\nline two {{if}}\n' >"$P/templates/broken.tmpl"
ew check-config --config "$SVC_DIR/bad.conf"
echo "$ERR_TEXT" | sed 's/^/    | /'
check "check-config with problems exits 1" test "$RC" = 1
check "INI: unknown key reported as bad.conf:4" \
    eval '[[ $ERR_TEXT == *"bad.conf:4:"*colour* ]]'
check "INI: bad value reported as bad.conf:7" \
    eval '[[ $ERR_TEXT == *"bad.conf:7:"*interval* ]]'
check "two resources with the same dest: reported, naming both files" \
    eval '[[ $ERR_TEXT == *"b-same-dest.conf:2: dest"*same.conf*a-good.toml* ]]'
check "TOML resource: unknown key reported as c-unknown.toml:6" \
    eval '[[ $ERR_TEXT == *"c-unknown.toml:6:"*flavour* ]]'
check "libconfig resource: syntax error reported with its line (d-syntax.conf:3)" \
    eval '[[ $ERR_TEXT == *"d-syntax.conf:3"* ]]'
# Go's text/template gives a parse error's line only (a column only at execution)
check "template parse error reported with the template's file:line (broken.tmpl:2)" \
    eval '[[ $ERR_TEXT == *e-template.toml*"broken.tmpl:2:"*"missing value for if"* ]]'
check "missing template file reported (no-such.tmpl)" \
    eval '[[ $ERR_TEXT == *f-missing.toml*no-such.tmpl* ]]'
check "wrong types reported with their lines (g-types.toml:4 keys, g-types.toml:5 mode)" \
    eval '[[ $ERR_TEXT == *"g-types.toml:4: keys"* && $ERR_TEXT == *"g-types.toml:5: mode"* ]]'
check "check-config prints nothing on stdout when there are problems" \
    test -z "$OUT_TEXT"

# check-config on a missing --config file
ew check-config --config "$SVC_DIR/no-such.conf"
check "check-config --config MISSING: exit 1 naming the file" \
    eval '[[ $RC == 1 && $ERR_TEXT == *no-such.conf* ]]'

svc_finish
