#!/usr/bin/env bash
# Install what building and testing etcdwatch needs on Debian 12, with apt-get.
# Does nothing when everything is already there; otherwise needs root (or sudo) and
# runs `apt-get update` once before installing what is missing.
set -euo pipefail

packages=(
    build-essential cmake pkg-config
    libcurl4-openssl-dev libjansson-dev libssl-dev libinih-dev libconfig-dev
    libcunit1-dev
    etcd-server etcd-client wrk valgrind openssl curl nginx-light clang clang-format
    python3 iproute2 procps ca-certificates
    debhelper dpkg-dev lintian man-db groff-base
)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    if [[ $status != "install ok installed" ]]; then
        missing+=("$p")
    fi
done

if ((${#missing[@]} == 0)); then
    echo "setup: all ${#packages[@]} packages are installed"
    exit 0
fi

echo "setup: installing ${missing[*]}"
as_root=()
if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        echo "setup: missing packages (${missing[*]}) and not root: run as root or" \
            "install them with apt-get" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
# nginx-light starts a server on port 80 when installed; the tests start their own
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then
    "${as_root[@]}" systemctl stop nginx || true
fi
echo "setup: done"
