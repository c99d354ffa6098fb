#!/usr/bin/env bash
# Install a build into a temporary prefix and use it as a user would: the installed
# layout, a program built with `cc app.c $(pkg-config --cflags --libs libetcd)` and one
# built with CMake's find_package(libetcd), both run against the test etcd; the
# installed etcdwatch runs; the public headers need no curl, Jansson or OpenSSL
# headers; libetcd.so exports exactly the ETCD_EXPORT functions of the public headers.
#
# usage: install.sh BUILD_DIR [--sanitize]   (needs ETCD_TEST_ENDPOINT)
# Ends with "install: N passed, M failed".
set -uo pipefail

build=${1:?usage: install.sh BUILD_DIR [--sanitize]}
sanitize=${2:-}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
passed=0
failed=0

ok() {
    passed=$((passed + 1))
    echo "ok - $1"
}
bad() {
    failed=$((failed + 1))
    echo "FAIL - $1"
    shift
    local l
    for l in "$@"; do
        echo "    $l"
    done
}
finish() {
    echo "install: $passed passed, $failed failed"
    ((failed == 0))
    exit $?
}

if [[ -z ${ETCD_TEST_ENDPOINT:-} ]]; then
    bad "ETCD_TEST_ENDPOINT is not set: run the tests through tests/run.sh"
    finish
fi
read -r -a wrapper <<<"${ETCD_TEST_WRAPPER:-}"
cflags=(-std=c11 -Wall -Wextra -Werror)
if [[ $sanitize == --sanitize ]]; then
    cflags+=(-fsanitize=address,undefined)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/etcd-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

if cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1; then
    ok "cmake --install --prefix"
else
    bad "cmake --install --prefix" "$(tail -n 20 "$work/install.log")"
    finish
fi

libdir=
for d in "$prefix"/lib "$prefix"/lib64 "$prefix"/lib/*-linux-gnu; do
    if [[ -e $d/libetcd.so ]]; then
        libdir=$d
    fi
done
missing=()
for f in bin/etcdwatch include/etcd/etcd.h include/etcd/client.h include/etcd/keys.h \
    include/etcd/error.h; do
    [[ -e $prefix/$f ]] || missing+=("$f")
done
if [[ -z $libdir ]]; then
    missing+=("lib/libetcd.so")
else
    [[ -e $libdir/libetcd.a ]] || missing+=("${libdir#"$prefix"/}/libetcd.a")
    [[ -e $libdir/pkgconfig/libetcd.pc ]] || missing+=("${libdir#"$prefix"/}/pkgconfig/libetcd.pc")
    [[ -e $libdir/cmake/libetcd/libetcdConfig.cmake ]] ||
        missing+=("${libdir#"$prefix"/}/cmake/libetcd/libetcdConfig.cmake")
fi
if ((${#missing[@]} == 0)); then
    ok "installed layout: program, headers, libraries, libetcd.pc, CMake package"
else
    bad "installed layout" "missing: ${missing[*]}"
    finish
fi

# ---- the public headers stand alone ------------------------------------------------
foreign=$(grep -hE '^\s*#\s*include' "$prefix"/include/etcd/*.h |
    grep -E 'curl|jansson|openssl' || true)
if [[ -z $foreign ]]; then
    ok "public headers include no curl, Jansson or OpenSSL header"
else
    bad "public headers include foreign headers" "$foreign"
fi
alone=1
for h in "$prefix"/include/etcd/*.h; do
    printf '#include <etcd/%s>\nint main(void) { return 0; }\n' "$(basename "$h")" \
        >"$work/one.c"
    if ! cc "${cflags[@]}" -I"$prefix/include" -c "$work/one.c" -o "$work/one.o" \
        2>"$work/one.log"; then
        bad "header etcd/$(basename "$h") compiles on its own" "$(head -n 5 "$work/one.log")"
        alone=0
    fi
done
if ((alone)); then
    ok "each public header compiles on its own"
fi

# ---- a user's program ------------------------------------------------------------------
cat >"$work/app.c" <<'EOF'
/* A user's program: blocking set and get through the installed libetcd. */
#include <stdio.h>
#include <string.h>

#include <etcd/etcd.h>

int main(int argc, char **argv)
{
    etcd_client_opts opts;
    etcd_client *client = NULL;
    etcd_response *resp = NULL;
    int rc;

    if (argc != 4) {
        return 2;
    }
    etcd_client_opts_init(&opts);
    opts.endpoints = argv[1];
    if (etcd_client_new(&opts, &client) != ETCD_OK) {
        return 1;
    }
    rc = etcd_keys_set_sync(client, argv[2], argv[3], NULL, &resp);
    etcd_response_free(resp);
    resp = NULL;
    if (rc == ETCD_OK) {
        rc = etcd_keys_get_sync(client, argv[2], NULL, &resp);
    }
    if (rc == ETCD_OK && resp->node != NULL && resp->node->value != NULL) {
        printf("%s\n", resp->node->value);
    } else {
        fprintf(stderr, "app: %s\n", etcd_strerror(rc));
    }
    etcd_response_free(resp);
    etcd_client_free(client);
    return rc == ETCD_OK ? 0 : 1;
}
EOF
key="/install-test/$$"
export PKG_CONFIG_PATH=$libdir/pkgconfig
if pc_flags=$(pkg-config --cflags --libs libetcd 2>"$work/pc.log"); then
    read -r -a pc <<<"$pc_flags"
    if cc "${cflags[@]}" "$work/app.c" "${pc[@]}" -o "$work/app-pc" 2>"$work/cc.log"; then
        ok "cc app.c \$(pkg-config --cflags --libs libetcd)"
        out=$(LD_LIBRARY_PATH=$libdir timeout 30 "${wrapper[@]}" "$work/app-pc" \
            "$ETCD_TEST_ENDPOINT" "$key/pc" "through pkg-config" 2>&1)
        if [[ $out == "through pkg-config" ]]; then
            ok "the pkg-config program talks to etcd"
        else
            bad "the pkg-config program talks to etcd" "output: $out"
        fi
    else
        bad "cc app.c \$(pkg-config --cflags --libs libetcd)" "flags: $pc_flags" \
            "$(head -n 10 "$work/cc.log")" "libetcd.pc: $(grep -E '^(prefix|libdir|includedir)=' "$libdir/pkgconfig/libetcd.pc" | tr '\n' ' ')"
    fi
else
    bad "pkg-config knows libetcd" "$(cat "$work/pc.log")"
fi

mkdir -p "$work/cmake-app"
cp "$work/app.c" "$work/cmake-app/app.c"
cat >"$work/cmake-app/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.18)
project(app C)
find_package(libetcd REQUIRED)
add_executable(app app.c)
target_compile_options(app PRIVATE ${cflags[*]})
target_link_options(app PRIVATE ${cflags[*]})
target_link_libraries(app PRIVATE libetcd::libetcd)
EOF
if cmake -S "$work/cmake-app" -B "$work/cmake-app/build" -DCMAKE_PREFIX_PATH="$prefix" \
    >"$work/cm.log" 2>&1 && cmake --build "$work/cmake-app/build" >>"$work/cm.log" 2>&1; then
    ok "find_package(libetcd) and libetcd::libetcd"
    out=$(LD_LIBRARY_PATH=$libdir timeout 30 "${wrapper[@]}" "$work/cmake-app/build/app" \
        "$ETCD_TEST_ENDPOINT" "$key/cmake" "through find_package" 2>&1)
    if [[ $out == "through find_package" ]]; then
        ok "the find_package program talks to etcd"
    else
        bad "the find_package program talks to etcd" "output: $out"
    fi
else
    bad "find_package(libetcd) and libetcd::libetcd" "$(tail -n 15 "$work/cm.log")"
fi

# ---- the installed program finds its library ------------------------------------------
out=$(env -u LD_LIBRARY_PATH timeout 30 "${wrapper[@]}" "$prefix/bin/etcdwatch" \
    --endpoints "$ETCD_TEST_ENDPOINT" set "$key/ew" "installed" 2>&1)
if [[ $out == "installed" ]]; then
    ok "the installed etcdwatch runs and finds libetcd"
else
    bad "the installed etcdwatch runs and finds libetcd" "output: $out"
fi

# ---- exported symbols = ETCD_EXPORT declarations -----------------------------------------
# declarations without comments, one line each: "ETCD_EXPORT int etcd_x_y(" -> etcd_x_y
declared=$(cat "$prefix"/include/etcd/*.h | perl -0777 -pe 's{/\*.*?\*/}{ }gs; s{//[^\n]*}{}g' |
    tr '\n' ' ' | grep -oE 'ETCD_EXPORT[^;{(]*\(' |
    sed -E 's/\($//; s/.*[^A-Za-z0-9_]([A-Za-z_][A-Za-z0-9_]*) *$/\1/' | grep -E '^etcd_' |
    sort -u)
exported=$(nm -D --defined-only "$libdir/libetcd.so" | awk '$2 ~ /^[TDBRW]$/ {print $3}' |
    grep -vE '^(_init|_fini|_edata|_end|__bss_start)$' | sort -u)
only_declared=$(comm -23 <(printf '%s\n' "$declared") <(printf '%s\n' "$exported"))
only_exported=$(comm -13 <(printf '%s\n' "$declared") <(printf '%s\n' "$exported"))
if [[ -n $declared && -z $only_declared && -z $only_exported ]]; then
    ok "libetcd.so exports exactly the $(printf '%s\n' "$declared" | wc -l) ETCD_EXPORT functions"
else
    bad "libetcd.so exports exactly the ETCD_EXPORT functions" \
        "declared, not exported: $(printf '%s ' $only_declared)" \
        "exported, not declared: $(printf '%s ' $only_exported)"
fi

finish
