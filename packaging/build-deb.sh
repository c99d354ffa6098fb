#!/bin/sh
# Build the Debian packages libetcd0, libetcd-dev and etcdwatch.
#
#   packaging/build-deb.sh [--install-deps] [--lintian] [OUTDIR]
#
# Copies the source tree (the files git knows, including uncommitted changes) to a
# temporary directory, puts packaging/debian at its top as debian/, and runs
# `dpkg-buildpackage -us -uc -b` there. The .deb, .changes and .buildinfo files land in
# OUTDIR (default: build-deb/ at the top of the tree, which git ignores). --install-deps
# first installs the Build-Depends (and dpkg-dev, and lintian with --lintian) with
# apt-get, as root; --lintian checks the result and fails on any lintian error.
set -eu

install_deps=0
run_lintian=0
outdir=
for arg in "$@"; do
    case $arg in
    --install-deps) install_deps=1 ;;
    --lintian) run_lintian=1 ;;
    -h | --help)
        sed -n '2,11s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    -*)
        echo "build-deb.sh: unknown option $arg (see --help)" >&2
        exit 2
        ;;
    *) outdir=$arg ;;
    esac
done

top=$(cd "$(dirname "$0")/.." && pwd)
outdir=${outdir:-$top/build-deb}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
version=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$top/packaging/debian/changelog")

work=$(mktemp -d "${TMPDIR:-/tmp}/etcdwatch-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
src=$work/etcdwatch-$version
mkdir -p "$src"

# The tree as git sees it (tracked and new files, not ignored ones, not build dirs);
# a tree that is not a git checkout is copied whole, build directories left out.
if git -C "$top" rev-parse --show-toplevel >/dev/null 2>&1; then
    (cd "$top" && git ls-files -z --cached --others --exclude-standard) |
        (cd "$top" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
        (cd "$top" && tar --null -T - -cf -) | (cd "$src" && tar -xf -)
else
    (cd "$top" && tar -cf - --exclude='./build*' --exclude='./debs' --exclude=./.git .) |
        (cd "$src" && tar -xf -)
fi
rm -rf "$src/debian"
cp -R "$top/packaging/debian" "$src/debian"

if [ "$install_deps" = 1 ]; then
    extra="dpkg-dev"
    [ "$run_lintian" = 1 ] && extra="$extra lintian"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $extra >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q "$src" >/dev/null
fi
if ! (cd "$src" && dpkg-checkbuilddeps); then
    echo "build-deb.sh: install the missing Build-Depends above (or use --install-deps)" >&2
    exit 1
fi

jobs=$(nproc 2>/dev/null || echo 1)
(cd "$src" && DEB_BUILD_OPTIONS="parallel=$jobs ${DEB_BUILD_OPTIONS:-}" \
    dpkg-buildpackage -us -uc -b)

for f in "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo; do
    [ -e "$f" ] && cp "$f" "$outdir/"
done
changes=$(ls "$outdir"/etcdwatch_"$version"_*.changes)
echo "build-deb.sh: packages in $outdir:"
ls -1 "$outdir"/*_"$version"_*.deb

if [ "$run_lintian" = 1 ]; then
    # Errors fail the build; warnings are printed for a person to judge.
    lintian --fail-on error --tag-display-limit 0 "$changes"
fi
