#!/bin/sh
# Makes a Debian machine ready to build and test the DocVault image (`make image`,
# `make image-test`): Docker (dockerd 20.10 from Debian), docker-compose 1.x, debootstrap,
# and with `armv7` qemu to run 32-bit ARM programs. Starts dockerd if none is running
# (listening on its unix socket only). Run as root; CI (.ci/run) does.
#   docker/host-setup.sh [armv7]
set -eu

PACKAGES="docker.io docker-compose debootstrap"
[ "${1:-}" = armv7 ] && PACKAGES="$PACKAGES qemu-user-static binfmt-support"

say() { echo "host-setup: $*" >&2; }
[ "$(id -u)" -eq 0 ] || { say "run as root (sudo sh $0 ${1:-})"; exit 1; }

missing=""
for pkg in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
    say "installing$missing"
    apt-get -o DPkg::Lock::Timeout=600 update -q
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q $missing
fi

if [ "${1:-}" = armv7 ]; then
    # qemu-user-static registers qemu-arm with binfmt_misc, which a container or a
    # minimal system may not have mounted.
    if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
        mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    fi
    [ -e /proc/sys/fs/binfmt_misc/qemu-arm ] || update-binfmts --enable qemu-arm
    [ -e /proc/sys/fs/binfmt_misc/qemu-arm ] || { say "qemu-arm could not be registered"; exit 1; }
fi

if ! docker info >/dev/null 2>&1; then
    if command -v systemctl >/dev/null 2>&1 && systemctl start docker 2>/dev/null; then
        say "started docker with systemctl"
    else
        log=/var/log/docvault-dockerd.log
        say "starting dockerd (log: $log)"
        nohup dockerd -H unix:///var/run/docker.sock >"$log" 2>&1 &
    fi
    tries=0
    until docker info >/dev/null 2>&1; do
        tries=$((tries + 1))
        [ "$tries" -le 60 ] || { say "dockerd did not start; see its log"; exit 1; }
        sleep 1
    done
fi
say "docker $(docker version -f '{{.Server.Version}}') is running"
