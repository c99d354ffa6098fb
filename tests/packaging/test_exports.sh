#!/bin/sh
# test_exports.sh: libetcd exports exactly its public API.
#
#   sh tests/packaging/test_exports.sh BUILD/lib/libetcd.so [SOURCE_DIR]
#
# Compares three lists, in both directions:
#   - the dynamic symbols libetcd.so defines (nm -D --defined-only),
#   - the functions declared with ETCD_EXPORT in lib/include/etcd/*.h,
#   - the symbols in packaging/debian/libetcd0.symbols (Debian's ABI record).
# Also checks the SONAME (libetcd.so.0). Prints `exports: N passed, M failed`.
set -u

lib=${1:?usage: test_exports.sh LIBETCD.so [SOURCE_DIR]}
src=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
symbols=$src/packaging/debian/libetcd0.symbols
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exports.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0

ok() {
    passed=$((passed + 1))
    echo "ok: $*"
}
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*"
}

# Names a header declares with ETCD_EXPORT: comments and preprocessor lines removed,
# split into declarations at ';', the identifier before the first '(' after ETCD_EXPORT
# (or, for a variable, the last identifier).
perl -0777 -ne '
    s{/\*.*?\*/}{ }gs; s{//[^\n]*}{}g;
    s{^[ \t]*#(?:[^\n]*\\\n)*[^\n]*}{}mg;
    for my $d (split /;/) {
        next unless $d =~ s/.*?\bETCD_EXPORT\b//s;
        if ($d =~ /(\w+)\s*\(/) { print "$1\n" }
        elsif ($d =~ /(\w+)\s*(?:\[[^\]]*\]\s*)*$/) { print "$1\n" }
    }' "$src"/lib/include/etcd/*.h | sort -u >"$tmp/headers"

nm -D --defined-only "$lib" | awk 'NF >= 3 && $2 ~ /^[TDBRVWiu]$/ { print $3 }' |
    sed 's/@.*//' | sort -u >"$tmp/library"

sed -n 's/^ \([^@ ]*\)@[^ ]* .*/\1/p' "$symbols" | sort -u >"$tmp/debian"

n=$(wc -l <"$tmp/headers")
if [ "$n" -gt 100 ]; then
    ok "headers declare $n exported functions"
else
    fail "only $n ETCD_EXPORT declarations found in $src/lib/include/etcd/*.h"
fi

check_same() { # check_same A B what-is-A what-is-B advice
    comm -23 "$tmp/$1" "$tmp/$2" >"$tmp/only"
    if [ -s "$tmp/only" ]; then
        fail "$(wc -l <"$tmp/only") in $3 but not in $4 ($5):"
        sed 's/^/    /' "$tmp/only"
    else
        ok "everything in $3 is in $4"
    fi
}

check_same library headers "libetcd.so's dynamic symbols" "the headers' ETCD_EXPORT" \
    "a symbol leaks: make it static, or etcd__ and hidden, or declare it"
check_same headers library "the headers' ETCD_EXPORT" "libetcd.so's dynamic symbols" \
    "declared but not defined, or not exported"
check_same library debian "libetcd.so's dynamic symbols" "packaging/debian/libetcd0.symbols" \
    "add ' NAME@Base VERSION' lines, VERSION being the first release that has it"
check_same debian library "packaging/debian/libetcd0.symbols" "libetcd.so's dynamic symbols" \
    "a symbol was removed: that breaks the ABI (bump the SONAME) or restore it"

if grep -v '^etcd_' "$tmp/library" >"$tmp/bad"; then
    fail "exported names without the etcd_ prefix:"
    sed 's/^/    /' "$tmp/bad"
else
    ok "every exported name starts with etcd_"
fi

soname=$(objdump -p "$lib" 2>/dev/null | awk '$1 == "SONAME" { print $2 }')
if [ "$soname" = libetcd.so.0 ]; then
    ok "SONAME is libetcd.so.0"
else
    fail "SONAME is '$soname', expected libetcd.so.0"
fi
if head -1 "$symbols" | grep -q "^$soname libetcd0 "; then
    ok "the symbols file is for $soname in libetcd0"
else
    fail "packaging/debian/libetcd0.symbols does not start with '$soname libetcd0'"
fi

echo "exports: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
