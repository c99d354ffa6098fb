#!/bin/bash
# test_packaging.sh: build the Debian packages and use them as a user would.
#
#   bash tests/packaging/test_packaging.sh [--debs DIR]
#
# 1. packaging/build-deb.sh builds libetcd0, libetcd-dev and etcdwatch (and lintian
#    must report no error), unless --debs DIR names already built packages.
# 2. The packages' contents and metadata: SONAME, symbols file, no RPATH, conffiles,
#    the unit, man pages, completion, dependencies.
# 3. They are unpacked into a scratch root (dpkg -x). lib/examples/*.c are compiled
#    against the unpacked libetcd-dev with pkg-config (shared and static) and with
#    CMake's find_package(libetcd), and run against a real etcd on a loopback port
#    (tests/etcd-env.sh).
# 4. The unpacked etcdwatch: --version, check-config on the installed example
#    configuration, `run --onetime --noop` renders the example templates from etcd, a
#    copy of the installed confdir with its dests moved into the scratch dir renders
#    real files (`run --onetime --sync-only`), render, the man pages, the bash
#    completion; `systemd-analyze verify` on the unit.
#
# Needs: dpkg-dev, debhelper, lintian, the Build-Depends of
# packaging/debian/control, cmake, pkg-config, etcd-server, curl. A missing tool is a
# failure, not a skip. Prints `packaging: N passed, M failed`.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
debs=
while [ $# -gt 0 ]; do
    case $1 in
    --debs)
        debs=$(cd "$2" && pwd)
        shift 2
        ;;
    -h | --help)
        sed -n '2,20s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *)
        echo "test_packaging.sh: unknown argument $1" >&2
        exit 2
        ;;
    esac
done

passed=0
failed=0
started=$(date +%s)
ok() {
    passed=$((passed + 1))
    echo "ok: $*"
}
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*"
}
finish() {
    echo "packaging: took $(($(date +%s) - started)) s"
    echo "packaging: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}
# check DESCRIPTION COMMAND...: ok when the command succeeds, else its output.
check() {
    local what=$1 out
    shift
    if out=$("$@" 2>&1); then
        ok "$what"
    else
        fail "$what: $* said:"
        printf '%s\n' "$out" | tail -20 | sed 's/^/    /'
    fi
}

for tool in dpkg-deb dpkg-architecture cc cmake pkg-config objdump readelf etcd curl; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed (see .ci/setup.sh)"
done
[ "$failed" -eq 0 ] || finish

# etcd-env.sh's trap removes its directory and servers on exit; ours is chained to it.
# shellcheck source=../etcd-env.sh
source "$top/tests/etcd-env.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/packaging-test.XXXXXX")
cleanup() { rm -rf "$work"; }

triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
version=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$top/packaging/debian/changelog")
arch=$(dpkg-architecture -qDEB_HOST_ARCH)

# ---- 1. Build ------------------------------------------------------------------------
if [ -z "$debs" ]; then
    for tool in dpkg-buildpackage dh lintian; do
        command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed (see .ci/setup.sh)"
    done
    [ "$failed" -eq 0 ] || { cleanup; finish; }
    debs=$work/debs
    t0=$(date +%s)
    # No -dbgsym packages: nothing tests them, and they cost build and lintian time.
    if DEB_BUILD_OPTIONS="noddebs nocheck ${DEB_BUILD_OPTIONS:-}" \
        sh "$top/packaging/build-deb.sh" --lintian "$debs" >"$work/build.log" 2>&1; then
        ok "packages built and lintian reports no error ($(($(date +%s) - t0)) s)"
    else
        fail "packaging/build-deb.sh --lintian failed; the end of its log:"
        tail -40 "$work/build.log" | sed 's/^/    /'
        cleanup
        finish
    fi
    # lintian's findings, errors or not, for the log
    sed -n '/^[EWIN]: /p' "$work/build.log" | sed 's/^/    lintian: /'
fi

lib_deb=$debs/libetcd0_${version}_$arch.deb
dev_deb=$debs/libetcd-dev_${version}_$arch.deb
prog_deb=$debs/etcdwatch_${version}_$arch.deb
for deb in "$lib_deb" "$dev_deb" "$prog_deb"; do
    if [ -s "$deb" ]; then ok "$(basename "$deb") exists"; else fail "$deb is missing"; fi
done
[ "$failed" -eq 0 ] || { cleanup; finish; }

# ---- 2. Contents and metadata --------------------------------------------------------
contents() { dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's#^\./#/#'; }
has_file() { # has_file DEB PATH...
    local deb=$1 path
    shift
    for path in "$@"; do
        if contents "$deb" | grep -qx -- "$path"; then
            ok "$(basename "$deb" | cut -d_ -f1) ships $path"
        else
            fail "$(basename "$deb" | cut -d_ -f1) does not ship $path"
        fi
    done
}
libdir=/usr/lib/$triplet
has_file "$lib_deb" "$libdir/libetcd.so.0" "$libdir/libetcd.so.$version"
has_file "$dev_deb" /usr/include/etcd/etcd.h /usr/include/etcd/client.h \
    "$libdir/libetcd.so" "$libdir/libetcd.a" "$libdir/pkgconfig/libetcd.pc" \
    "$libdir/cmake/libetcd/libetcdConfig.cmake" \
    "$libdir/cmake/libetcd/libetcdConfigVersion.cmake" \
    "$libdir/cmake/libetcd/libetcdTargets.cmake" \
    /usr/share/man/man3/libetcd.3.gz \
    /usr/share/doc/libetcd-dev/examples/blocking.c
has_file "$prog_deb" /usr/bin/etcdwatch /etc/etcdwatch/etcdwatch.conf \
    /etc/etcdwatch/conf.d/nginx.conf /etc/etcdwatch/conf.d/app-env.toml \
    /etc/etcdwatch/templates/nginx.conf.tmpl \
    /lib/systemd/system/etcdwatch.service \
    /usr/share/man/man1/etcdwatch.1.gz /usr/share/man/man5/etcdwatch.conf.5.gz \
    /usr/share/man/man7/etcdwatch-templates.7.gz \
    /usr/share/bash-completion/completions/etcdwatch

ctrl() { # ctrl DEB FILE: a control file of the package
    dpkg-deb --ctrl-tarfile "$1" | tar -xOf - "./$2" 2>/dev/null
}
if ctrl "$lib_deb" symbols | grep -q "^libetcd.so.0 libetcd0 "; then
    ok "libetcd0 has a symbols file for libetcd.so.0"
else
    fail "libetcd0 has no symbols file"
fi
if ctrl "$lib_deb" shlibs | grep -q "^libetcd 0 libetcd0"; then
    ok "libetcd0 has a shlibs file"
else
    fail "libetcd0 has no shlibs file"
fi
if [ "$(ctrl "$prog_deb" conffiles | grep -c '^/etc/etcdwatch/')" -ge 5 ]; then
    ok "the example configuration is made of conffiles"
else
    fail "the files in /etc/etcdwatch are not conffiles: $(ctrl "$prog_deb" conffiles)"
fi
if dpkg-deb -f "$prog_deb" Depends | grep -q "libetcd0 (>= $version)"; then
    ok "etcdwatch depends on libetcd0 (>= $version)"
else
    fail "etcdwatch's Depends lack libetcd0: $(dpkg-deb -f "$prog_deb" Depends)"
fi
if dpkg-deb -f "$dev_deb" Depends | grep -q "libetcd0 (= $version)"; then
    ok "libetcd-dev depends on libetcd0 (= $version)"
else
    fail "libetcd-dev's Depends: $(dpkg-deb -f "$dev_deb" Depends)"
fi

# ---- 3. Unpack, build the examples, run them against etcd ----------------------------
root=$work/root
for deb in "$lib_deb" "$dev_deb" "$prog_deb"; do
    dpkg-deb -x "$deb" "$root"
done
so=$root$libdir/libetcd.so.0
soname=$(objdump -p "$so" | awk '$1 == "SONAME" { print $2 }')
if [ "$soname" = libetcd.so.0 ]; then ok "SONAME libetcd.so.0"; else fail "SONAME is '$soname'"; fi
if [ "$(readlink "$root$libdir/libetcd.so")" = libetcd.so.0 ]; then
    ok "libetcd.so links to libetcd.so.0"
else
    fail "libetcd.so points to '$(readlink "$root$libdir/libetcd.so")'"
fi
if readelf -d "$root/usr/bin/etcdwatch" | grep -qE 'RPATH|RUNPATH'; then
    fail "/usr/bin/etcdwatch has an RPATH: $(readelf -d "$root/usr/bin/etcdwatch" | grep PATH)"
else
    ok "/usr/bin/etcdwatch has no RPATH"
fi
check "the installed libetcd.so exports exactly the headers' API" \
    sh "$top/tests/packaging/test_exports.sh" "$so" "$top"

export LD_LIBRARY_PATH=$root$libdir
# The examples of the source tree (libetcd-dev ships the same files as documentation).
examples=$top/lib/examples
bin=$work/bin
mkdir -p "$bin"

# pkg-config: the unpacked .pc, with its paths moved into the scratch root.
pc() {
    PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_PATH=$root$libdir/pkgconfig pkg-config "$@"
}
check "pkg-config knows libetcd $version" test "$(pc --modversion libetcd)" = "$version"
for src in "$examples"/*.c; do
    ex=$(basename "$src" .c)
    # shellcheck disable=SC2046
    check "$ex.c builds with pkg-config against the unpacked libetcd-dev" \
        cc -std=c11 -Wall -Wextra -Werror -o "$bin/$ex-pc" "$src" \
        $(pc --cflags --libs libetcd)
done
# Static libetcd.a with the shared libraries it needs (its Requires.private and
# Libs.private; the static libcurl would need every -dev package curl was built with).
# shellcheck disable=SC2046
check "blocking.c links statically against libetcd.a" \
    cc -std=c11 -Wall -Werror -o "$bin/blocking-static" "$examples/blocking.c" \
    $(pc --cflags libetcd) "$root$libdir/libetcd.a" \
    $(pc --libs libcurl jansson) -lpthread
if [ -x "$bin/blocking-static" ] && ldd "$bin/blocking-static" | grep -q libetcd; then
    fail "blocking-static still needs libetcd.so"
elif [ -x "$bin/blocking-static" ]; then
    ok "blocking-static does not need libetcd.so"
fi
# A user's headers need no curl, Jansson or OpenSSL headers.
if grep -rlE '#include *<(curl/|jansson|openssl/)' "$root/usr/include/etcd" >/dev/null; then
    fail "the installed headers include curl, Jansson or OpenSSL headers"
else
    ok "the installed headers include no curl, Jansson or OpenSSL header"
fi

# CMake: find_package(libetcd) from the scratch root.
mkdir -p "$work/cmake-app"
cat >"$work/cmake-app/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.18)
project(libetcd_user C)
find_package(libetcd $version REQUIRED)
file(GLOB examples "$examples/*.c")
foreach(src \${examples})
    get_filename_component(name \${src} NAME_WE)
    add_executable(\${name}_cmake \${src})
    target_link_libraries(\${name}_cmake PRIVATE libetcd::libetcd)
    add_executable(\${name}_cmake_static \${src})
    target_link_libraries(\${name}_cmake_static PRIVATE libetcd::libetcd_static)
endforeach()
EOF
if cmake -S "$work/cmake-app" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$root/usr" \
    -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF >"$work/cmake.log" 2>&1 &&
    cmake --build "$work/cmake-build" >>"$work/cmake.log" 2>&1; then
    ok "lib/examples/*.c build with CMake's find_package(libetcd) (libetcd::libetcd and libetcd::libetcd_static)"
    found=$(sed -n 's/^libetcd_DIR:PATH=//p' "$work/cmake-build/CMakeCache.txt")
    case $found in
    "$root"/*) ok "find_package used the unpacked package ($found)" ;;
    *) fail "find_package found libetcd in '$found', not in the scratch root" ;;
    esac
else
    fail "CMake build against the unpacked libetcd-dev failed:"
    tail -20 "$work/cmake.log" | sed 's/^/    /'
fi

t0=$(date +%s)
etcd_cluster_start pkg 1
endpoint=$ETCD_PKG_ENDPOINTS
ok "etcd started at $endpoint ($(($(date +%s) - t0)) s)"

if [ -x "$bin/blocking-pc" ]; then
    check "blocking (pkg-config build) runs against etcd" timeout 60 "$bin/blocking-pc" "$endpoint"
fi
if [ -x "$bin/blocking-static" ]; then
    check "blocking (static build) runs against etcd" timeout 60 "$bin/blocking-static" "$endpoint"
fi
if [ -x "$work/cmake-build/async_cmake" ]; then
    if out=$(timeout 60 "$work/cmake-build/async_cmake" "$endpoint" 2>&1); then
        ok "async (CMake build) runs against etcd: $(printf '%s\n' "$out" | tail -1)"
    else
        fail "async (CMake build) failed against etcd:"
        printf '%s\n' "$out" | tail -20 | sed 's/^/    /'
    fi
fi
if [ -x "$work/cmake-build/blocking_cmake_static" ]; then
    if ldd "$work/cmake-build/blocking_cmake_static" | grep -q libetcd; then
        fail "blocking_cmake_static (libetcd::libetcd_static) needs libetcd.so"
    fi
    check "blocking (CMake, libetcd::libetcd_static) runs against etcd" \
        timeout 60 "$work/cmake-build/blocking_cmake_static" "$endpoint"
fi

# ---- 4. The unpacked etcdwatch -------------------------------------------------------
ew=$root/usr/bin/etcdwatch
out=$("$ew" --version 2>&1)
if printf '%s\n' "$out" | grep -qx "etcdwatch version: $version" &&
    printf '%s\n' "$out" | grep -qx "libetcd version: $version"; then
    ok "etcdwatch --version names etcdwatch and libetcd $version"
else
    fail "etcdwatch --version printed: $out"
fi
for lib in libcurl Jansson OpenSSL; do
    if printf '%s\n' "$out" | grep -qE "^$lib version: [0-9]"; then
        ok "etcdwatch --version names the $lib version"
    else
        fail "etcdwatch --version does not name the $lib version: $out"
    fi
done

conf=$root/etc/etcdwatch
check "check-config accepts the installed example configuration" \
    "$ew" check-config --config "$conf/etcdwatch.conf" --confdir "$conf"

"$ew" --endpoints "$endpoint" set /myapp/upstreams/app1 127.0.0.1:8081 >/dev/null &&
    "$ew" --endpoints "$endpoint" set /myapp/upstreams/app2 127.0.0.1:8082 >/dev/null &&
    "$ew" --endpoints "$endpoint" set /myapp/nginx/listen 127.0.0.1:8099 >/dev/null &&
    "$ew" --endpoints "$endpoint" set /myapp/env/log_level debug >/dev/null &&
    "$ew" --endpoints "$endpoint" set /myapp/services/web/a 127.0.0.1:9001 >/dev/null &&
    "$ew" --endpoints "$endpoint" set /myapp/database/url postgres://db/app >/dev/null &&
    "$ew" --endpoints "$endpoint" set /myapp/database/user app >/dev/null &&
    "$ew" --endpoints "$endpoint" set /myapp/features/beta true >/dev/null
check "the unpacked etcdwatch writes keys to etcd" test $? -eq 0

# `run --onetime --noop` renders every example resource from etcd and prints the diff
# against the live files, touching nothing.
if out=$(timeout 60 "$ew" --endpoints "$endpoint" run --onetime --noop \
    --config "$conf/etcdwatch.conf" --confdir "$conf" 2>"$work/run.err"); then
    ok "run --onetime --noop with the installed configuration succeeds"
else
    fail "run --onetime --noop failed:"
    sed 's/^/    /' "$work/run.err" | tail -20
fi
for want in "server 127.0.0.1:8081; # app1" "listen 127.0.0.1:8099;" "LOG_LEVEL=debug" \
    "server a 127.0.0.1:9001 check" '"url": "postgres://db/app"' \
    '{"name": "beta", "enabled": true}'; do
    if printf '%s\n' "$out" | grep -qF -- "$want"; then
        ok "the example templates render '$want'"
    else
        fail "run --noop's output lacks '$want'"
    fi
done

# A real render: the installed confdir with every dest moved into the scratch dir,
# --sync-only (no nginx -t, no reload of services that are not there).
cp -R "$conf" "$work/confdir"
out_dir=$work/out
mkdir -p "$out_dir"
sed -i -E "s#^(dest *= *\")/[^\"]*/([^/\"]*)\"#\1$out_dir/\2\"#" "$work/confdir"/conf.d/*
if timeout 60 "$ew" --endpoints "$endpoint" run --onetime --sync-only \
    --config "$work/confdir/etcdwatch.conf" --confdir "$work/confdir" \
    >"$work/sync.out" 2>&1; then
    ok "run --onetime --sync-only renders the installed examples into files"
else
    fail "run --onetime --sync-only failed:"
    tail -20 "$work/sync.out" | sed 's/^/    /'
fi
for f in nginx.conf:644 haproxy.cfg:644 app.env:640 settings.json:640; do
    name=${f%%:*}
    mode=${f##*:}
    if [ -s "$out_dir/$name" ] && [ "$(stat -c %a "$out_dir/$name")" = "$mode" ]; then
        ok "rendered $name with mode $mode"
    else
        fail "$out_dir/$name: $(ls -l "$out_dir/$name" 2>&1)"
    fi
done
if grep -q "server 127.0.0.1:8082; # app2" "$out_dir/nginx.conf" 2>/dev/null; then
    ok "the rendered nginx.conf lists the upstreams from etcd"
else
    fail "the rendered nginx.conf lacks the upstreams"
fi

out=$("$ew" --endpoints "$endpoint" render "$conf/templates/nginx.conf.tmpl" --prefix /myapp 2>&1)
if printf '%s\n' "$out" | grep -qF "server 127.0.0.1:8082; # app2"; then
    ok "render of the installed nginx template reads etcd"
else
    fail "render printed: $out"
fi

# The man pages, as man shows them.
if command -v man >/dev/null 2>&1; then
    for page in man1/etcdwatch.1 man5/etcdwatch.conf.5 man7/etcdwatch-templates.7 man3/libetcd.3; do
        text=$(MANWIDTH=80 man -l "$root/usr/share/man/$page.gz" 2>&1)
        if [ "$(printf '%s\n' "$text" | wc -l)" -gt 50 ] &&
            ! printf '%s\n' "$text" | grep -q '@VERSION@'; then
            ok "man shows $page"
        else
            fail "man $page: $(printf '%s\n' "$text" | head -5)"
        fi
    done
else
    fail "man is not installed"
fi

# The installed completion, with the unpacked program first in PATH.
comp=$(PATH=$root/usr/bin:$PATH bash -c '
    . "$1"
    COMP_WORDS=(etcdwatch check); COMP_CWORD=1; COMP_LINE="etcdwatch check"
    COMP_POINT=${#COMP_LINE}; _etcdwatch; printf "%s\n" "${COMPREPLY[@]}"' sh \
    "$root/usr/share/bash-completion/completions/etcdwatch")
if [ "$comp" = check-config ]; then
    ok "bash completion completes 'etcdwatch check' to check-config"
else
    fail "bash completion of 'etcdwatch check' gave '$comp'"
fi

# The unit, with ExecStart pointing at the unpacked program.
if command -v systemd-analyze >/dev/null 2>&1; then
    sed "s#/usr/bin/etcdwatch#$ew#g" "$root/lib/systemd/system/etcdwatch.service" \
        >"$work/etcdwatch.service"
    check "systemd-analyze verify accepts etcdwatch.service" \
        systemd-analyze verify --man=no "$work/etcdwatch.service"
else
    echo "note: systemd-analyze is not installed; the unit was not verified"
fi

cleanup
finish
