#!/bin/bash
# test_docs.sh: the man pages and the bash completion know every command and option
# that etcdwatch's own help lists, and the man pages format cleanly.
#
#   bash tests/packaging/test_docs.sh BUILD/watcher/etcdwatch BUILD/packaging/man [SOURCE_DIR]
#
# For the global help and for `--api v3` when the program accepts it: every command
# appears as an entry of etcdwatch(1); for each command (and each subcommand its help
# lists) every option of `etcdwatch [SUB]COMMAND --help` appears in etcdwatch(1); the
# completion offers every command; etcdwatch-templates(7) describes every function the
# template engine registers and marks the extensions, and its examples render as shown
# (tests/packaging/man_examples.pl extracts them); libetcd(3) names every header and
# error constant; the pages format without a groff warning; debian/changelog has the
# program's version. Prints `docs: N passed, M failed`.
set -u

prog=${1:?usage: test_docs.sh ETCDWATCH MANDIR [SOURCE_DIR]}
mandir=${2:?usage: test_docs.sh ETCDWATCH MANDIR [SOURCE_DIR]}
src=${3:-$(cd "$(dirname "$0")/../.." && pwd)}
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# etcdwatch(1) as plain words: roff's \- is -, font escapes and quotes removed.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(dq/"/g' "$mandir/etcdwatch.1" >"$tmp/man"

# Commands of a "Commands:" section of a help text.
help_commands() {
    awk '/^(Commands|Subcommands):/ { f = 1; next }
         f && /^[^ ]/ { f = 0 }
         f && /^  [a-z]/ { print $1 }'
}
# Long and short options a help text mentions.
help_options() {
    grep -oE '(^|[ ,[])--?[a-zA-Z][a-zA-Z0-9-]*' | sed -E 's/^[ ,[]//' | sort -u
}

# A command is documented when an entry starts with it: ".B get", ".BI get ...".
man_has_command() {
    grep -qE "^\.(B|BI|BR|IP|TP) +\"?$1\"?( |$)" "$tmp/man"
}
man_has_option() {
    grep -qE -- "(^|[^a-zA-Z0-9-])$1([^a-zA-Z0-9-]|$)" "$tmp/man"
}

check_help() { # check_help LABEL HELPTEXT-FILE
    local opt
    for opt in $(help_options <"$2"); do
        if man_has_option "$opt"; then ok; else fail "etcdwatch(1) does not describe $opt ($1)"; fi
    done
}

apis=("")
if "$prog" --api v3 help >/dev/null 2>&1; then
    apis+=("--api v3")
fi

for api in "${apis[@]}"; do
    # shellcheck disable=SC2086
    "$prog" $api --help >"$tmp/main" 2>&1 || fail "etcdwatch $api --help failed"
    check_help "etcdwatch $api --help" "$tmp/main"
    cmds=$(help_commands <"$tmp/main")
    [ -n "$cmds" ] || fail "no commands found in etcdwatch $api --help"
    for cmd in $cmds; do
        if man_has_command "$cmd"; then ok; else fail "etcdwatch(1) has no entry for the command '$cmd'"; fi
        [ "$cmd" = help ] && continue
        # shellcheck disable=SC2086
        "$prog" $api "$cmd" --help >"$tmp/cmd" 2>&1 || fail "etcdwatch $api $cmd --help failed"
        check_help "etcdwatch $api $cmd --help" "$tmp/cmd"
        for sub in $(help_commands <"$tmp/cmd"); do
            if man_has_command "$cmd $sub" || grep -qE "^\.(B|BI|BR) +\"?$sub\"?( |$)" "$tmp/man"; then
                ok
            else
                fail "etcdwatch(1) has no entry for '$cmd $sub'"
            fi
            # shellcheck disable=SC2086
            "$prog" $api "$cmd" "$sub" --help >"$tmp/sub" 2>&1 ||
                fail "etcdwatch $api $cmd $sub --help failed"
            check_help "etcdwatch $api $cmd $sub --help" "$tmp/sub"
        done
    done
done

# The completion offers every command of each API (it reads them from the program's
# help), with --api v3 on the line for v3, and every subcommand after its command.
if command -v bash >/dev/null; then
    for api in "${apis[@]}"; do
        # shellcheck disable=SC2086
        "$prog" $api --help >"$tmp/main" 2>&1
        # shellcheck disable=SC2086
        offered=$(PATH=$(dirname "$prog"):$PATH bash -c '
            . "$1"; shift
            COMP_WORDS=(etcdwatch "$@" ""); COMP_CWORD=$(($# + 1))
            COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
            _etcdwatch; printf "%s\n" "${COMPREPLY[@]}"' sh \
            "$src/packaging/completion/etcdwatch" $api)
        for cmd in $(help_commands <"$tmp/main"); do
            if printf '%s\n' "$offered" | grep -qx -- "$cmd"; then
                ok
            else
                fail "bash completion ($api) does not offer '$cmd'"
            fi
        done
        for cmd in $(help_commands <"$tmp/main"); do
            [ "$cmd" = help ] && continue
            # shellcheck disable=SC2086
            subs=$("$prog" $api "$cmd" --help 2>/dev/null | help_commands | sort | tr '\n' ' ')
            [ -n "$subs" ] || continue
            # shellcheck disable=SC2086
            offered=$(PATH=$(dirname "$prog"):$PATH bash -c '
                . "$1"; shift
                COMP_WORDS=(etcdwatch "$@" ""); COMP_CWORD=$(($# + 1))
                COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
                _etcdwatch; printf "%s\n" "${COMPREPLY[@]}"' sh \
                "$src/packaging/completion/etcdwatch" $api "$cmd" | sort | tr '\n' ' ')
            if [ "$offered" = "$subs" ]; then
                ok
            else
                fail "bash completion after '$api $cmd' offers '$offered', not '$subs'"
            fi
        done
    done
    offered=$(PATH=$(dirname "$prog"):$PATH bash -c '
        . "$1"
        COMP_WORDS=(etcdwatch run --conf); COMP_CWORD=2; COMP_LINE="etcdwatch run --conf"
        COMP_POINT=${#COMP_LINE}; _etcdwatch; printf "%s\n" "${COMPREPLY[@]}"' sh \
        "$src/packaging/completion/etcdwatch")
    if [ "$(printf '%s\n' "$offered" | sort | tr '\n' ' ')" = "--confdir --config " ]; then
        ok
    else
        fail "bash completion of 'etcdwatch run --conf' gave: $offered"
    fi
fi

# etcdwatch-templates(7) describes every function the template engine registers
# (its tables in watcher/template/*.c), and marks the extensions.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$mandir/etcdwatch-templates.7" >"$tmp/tmpl"
funcs=$(grep -ohE '\{"[a-zA-Z0-9]+", (fn_[a-z0-9_]+|NULL),' "$src"/watcher/template/*.c |
    sed -E 's/\{"([^"]+)".*/\1/' | sort -u)
if [ "$(printf '%s\n' "$funcs" | wc -l)" -ge 60 ]; then
    ok
else
    fail "found only $(printf '%s\n' "$funcs" | wc -l) functions in watcher/template/*.c"
fi
for fn in $funcs; do
    if grep -qE "(^|[^a-zA-Z0-9])$fn([^a-zA-Z0-9]|$)" "$tmp/tmpl"; then
        ok
    else
        fail "etcdwatch-templates(7) does not describe the function '$fn'"
    fi
done
for fn in include default trimPrefix indent quote toJson hasKey keys; do
    if awk -v fn="$fn" '$0 ~ "^\\.BI? " fn "( |$)" { getline; if ($0 ~ /extension/) found = 1 }
        END { exit !found }' "$tmp/tmpl"; then
        ok
    else
        fail "etcdwatch-templates(7) does not mark '$fn' as an extension"
    fi
done

# Every example of etcdwatch-templates(7) renders as the page says (with the page's
# keys), except those whose output depends on the machine or the day.
mkdir -p "$tmp/examples"
count=$(perl "$src/tests/packaging/man_examples.pl" "$mandir/etcdwatch-templates.7" \
    "$tmp/examples")
if [ "${count:-0}" -ge 30 ]; then
    ok
else
    fail "found only ${count:-0} examples in etcdwatch-templates(7)"
fi
for t in "$tmp"/examples/case*.tmpl; do
    [ -e "$t" ] || continue
    grep -qE 'datetime|lookupIP|lookupSRV|getenv "HOME"' "$t" && continue
    got=$("$prog" render "$t" --keys "$tmp/examples/keys.json" --prefix /myapp 2>&1 |
        sed 's/[[:space:]]*$//')
    want=$(sed 's/[[:space:]]*$//' "${t%.tmpl}.want")
    if [ "$got" = "$want" ]; then
        ok
    else
        fail "etcdwatch-templates(7): $(cat "$t") renders '$got', the page says '$want'"
    fi
done

# libetcd(3) names every header and every error constant.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$mandir/libetcd.3" >"$tmp/lib"
for h in "$src"/lib/include/etcd/*.h; do
    name=etcd/$(basename "$h")
    [ "$name" = etcd/export.h ] && continue
    if grep -qF "$name" "$tmp/lib"; then ok; else fail "libetcd(3) does not mention <$name>"; fi
done
for e in $(sed -n 's/^ *XX(\([A-Z0-9_]*\),.*/\1/p' "$src/lib/include/etcd/error.h"); do
    if grep -qE "(^|[^A-Z_])ETCD_$e([^A-Z0-9_]|$)" "$tmp/lib"; then
        ok
    else
        fail "libetcd(3) does not describe ETCD_$e"
    fi
done

# Every page formats without a warning from groff.
for page in etcdwatch.1 etcdwatch.conf.5 etcdwatch-templates.7 libetcd.3; do
    if [ ! -s "$mandir/$page" ]; then
        fail "$mandir/$page is missing"
        continue
    fi
    if grep -q '@[A-Z]*@' "$mandir/$page"; then
        fail "$page has an unsubstituted @VARIABLE@"
    else
        ok
    fi
    if command -v groff >/dev/null; then
        warnings=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$mandir/$page" 2>&1)
        if [ -z "$warnings" ]; then ok; else fail "groff warns about $page: $warnings"; fi
    fi
done

# The Debian changelog's version is the project's.
version=$("$prog" --version | sed -n 's/^etcdwatch version: //p')
deb_version=$(sed -n '1s/^[^(]*(\([^)-]*\).*/\1/p' "$src/packaging/debian/changelog")
if [ "$version" = "$deb_version" ]; then
    ok
else
    fail "packaging/debian/changelog is at $deb_version, etcdwatch at $version"
fi

echo "docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
