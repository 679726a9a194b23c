#!/bin/sh
# Builds the DocVault image on this machine without Docker Hub: `make image ARCH=amd64`
# or `make image ARCH=armv7` (32-bit ARM, for a QNAP; emulated with qemu on a PC).
#   docker/build-local.sh amd64|armv7 [base|redis]
#     (default)  docvault-ingest:<arch>, on a Debian bookworm base made here
#     base       only make (or reuse) that base: docvault-local/debian:bookworm-slim-<arch>
#     redis      the stand-in redis image for compose.yaml, from Debian's redis-server:
#                docvault-local/redis:<arch>
# The base is made once with debootstrap from deb.debian.org (DEBIAN_MIRROR to change it)
# and reused; `docker rmi` it to make it again. It goes into the build as BASE_IMAGE, so
# no tag is moved: a `debian:bookworm-slim` already here stays what it was. Nothing is downloaded but Debian and PyPI
# packages. EXTRA_CA_CERT=/path/to/ca.pem: a CA certificate pip inside the build must
# trust (a proxy that re-signs HTTPS); used while building, never kept in the image.
# docker/host-setup.sh installs what this needs (run it as root).
set -eu

ARCH=${1:-}
WHAT=${2:-image}
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")

case "$ARCH" in
    amd64) DEB_ARCH=amd64; PLATFORM=linux/amd64 ;;
    armv7) DEB_ARCH=armhf; PLATFORM=linux/arm/v7 ;;
    *) echo "usage: $0 amd64|armv7 [base|redis]" >&2; exit 2 ;;
esac
BASE=docvault-local/debian:$SUITE-slim-$ARCH
IMAGE=docvault-ingest:$ARCH
REDIS_IMAGE=docvault-local/redis:$ARCH

say() { echo "build-local: $*" >&2; }
die() { say "$*"; exit 1; }

# --- What this machine must have ---------------------------------------------------

command -v docker >/dev/null 2>&1 \
    || die "docker is not installed: run \`sudo sh docker/host-setup.sh\` (apt-get install docker.io)"
docker info >/dev/null 2>&1 || die "the Docker daemon is not running, or this user may not use it.
  Start it: \`sudo systemctl start docker\`, or where there is no systemd
  \`sudo dockerd -H unix:///var/run/docker.sock &\` (\`sudo sh docker/host-setup.sh\` does
  that); or add yourself to the docker group: \`sudo adduser \$USER docker\`, then log in again."

native=$(dpkg --print-architecture 2>/dev/null || echo unknown)
if [ "$DEB_ARCH" != "$native" ]; then
    [ -e "/proc/sys/fs/binfmt_misc/qemu-arm" ] || die "running $ARCH programs here needs qemu:
  \`sudo sh docker/host-setup.sh armv7\` (installs qemu-user-static and binfmt-support, and
  mounts binfmt_misc)"
fi

# --- The base: debootstrap, trimmed like Docker Hub's slim image -------------------

has_image() { docker image inspect "$1" >/dev/null 2>&1; }

# dockerd 20.10 ignores `docker import --platform`: the image is labelled with this
# machine's architecture, and `docker build --platform linux/arm/v7` would then look for
# an arm/v7 base on Docker Hub. Re-label it: save, set architecture/variant, load.
relabel() {
    tag=$1 arch=$2 variant=$3
    dir=$(mktemp -d)
    old=$(docker image inspect -f '{{.Id}}' "$tag")
    docker save "$tag" | tar -x -C "$dir"
    python3 - "$dir" "$arch" "$variant" <<'PY'
import hashlib, json, os, sys
folder, arch, variant = sys.argv[1:]
manifest_path = os.path.join(folder, "manifest.json")
manifest = json.load(open(manifest_path))
for entry in manifest:
    path = os.path.join(folder, entry["Config"])
    config = json.load(open(path))
    config["architecture"] = arch
    if variant:
        config["variant"] = variant
    data = json.dumps(config, separators=(",", ":")).encode()
    os.remove(path)
    entry["Config"] = hashlib.sha256(data).hexdigest() + ".json"
    open(os.path.join(folder, entry["Config"]), "wb").write(data)
json.dump(manifest, open(manifest_path, "w"))
PY
    tar -C "$dir" -c . | docker load >/dev/null
    rm -rf "$dir"
    docker rmi "$old" >/dev/null 2>&1 || true
}

make_base() {
    command -v debootstrap >/dev/null 2>&1 \
        || die "debootstrap is not installed: run \`sudo sh docker/host-setup.sh\`"
    [ "$(id -u)" -eq 0 ] || die "making the base image runs debootstrap, which needs root: run as root"
    root=$(mktemp -d "${TMPDIR:-/tmp}/docvault-base.XXXXXX")
    trap 'rm -rf "$root"' EXIT
    started=$(date +%s)
    say "making $BASE with debootstrap ($SUITE, $DEB_ARCH, from $MIRROR)"
    if [ "$DEB_ARCH" = "$native" ]; then
        debootstrap --variant=minbase --arch="$DEB_ARCH" "$SUITE" "$root" "$MIRROR" >/dev/null
    else
        debootstrap --variant=minbase --arch="$DEB_ARCH" --foreign "$SUITE" "$root" "$MIRROR" >/dev/null
        chroot "$root" /debootstrap/debootstrap --second-stage >/dev/null
    fi
    # As Docker Hub's slim image: the security and updates archives, no documentation,
    # man pages or apt lists, and dpkg told to leave them out of later installs.
    cat > "$root/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb http://deb.debian.org/debian-security $SUITE-security main
EOF
    cat > "$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
    echo 'APT::Install-Recommends "false";' > "$root/etc/apt/apt.conf.d/docker-no-recommends"
    cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    rm -rf "$root/usr/share/man/"* "$root/usr/share/info/"* "$root/usr/share/locale/"* \
        "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin "$root/var/cache/apt/archives/"*.deb "$root/var/log/"*.log \
        "$root/debootstrap"
    tar -C "$root" --numeric-owner -c . \
        | docker import --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$BASE" >/dev/null
    rm -rf "$root"
    trap - EXIT
    [ "$DEB_ARCH" = armhf ] && relabel "$BASE" arm v7
    say "made $BASE in $(( $(date +%s) - started )) s"
}

if has_image "$BASE"; then
    say "reusing $BASE"
else
    make_base
fi
[ "$WHAT" = base ] && exit 0

# --- The images --------------------------------------------------------------------

# The legacy builder of dockerd 20.10 (no buildx here); it needs the base's platform label.
export DOCKER_BUILDKIT=0

if [ "$WHAT" = redis ]; then
    # Stands in for redis:7.2-alpine (Docker Hub) in compose.yaml: REDIS_IMAGE in .env.
    printf '%s\n' "FROM $BASE" \
        "RUN apt-get update -q && apt-get install -y -q redis-server && rm -rf /var/lib/apt/lists/*" \
        "WORKDIR /data" 'CMD ["redis-server"]' \
        | docker build -q --force-rm --platform "$PLATFORM" -t "$REDIS_IMAGE" - >/dev/null
    say "built $REDIS_IMAGE"
    exit 0
fi
[ "$WHAT" = image ] || { echo "usage: $0 amd64|armv7 [base|redis]" >&2; exit 2; }

CA_COPY="$HERE/extra-ca.pem"
rm -f "$CA_COPY"
if [ -n "${EXTRA_CA_CERT:-}" ]; then
    [ -r "$EXTRA_CA_CERT" ] || die "EXTRA_CA_CERT=$EXTRA_CA_CERT is not a readable file"
    grep -q "BEGIN CERTIFICATE" "$EXTRA_CA_CERT" || die "EXTRA_CA_CERT=$EXTRA_CA_CERT is not a PEM certificate"
    cp "$EXTRA_CA_CERT" "$CA_COPY"
    trap 'rm -f "$CA_COPY"' EXIT
    say "pip in the build trusts $EXTRA_CA_CERT too (not kept in the image)"
fi

started=$(date +%s)
say "building $IMAGE for $PLATFORM"
docker build --force-rm --platform "$PLATFORM" --build-arg "BASE_IMAGE=$BASE" -f "$HERE/Dockerfile" -t "$IMAGE" "$REPO"
rm -f "$CA_COPY"
size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
say "built $IMAGE in $(( $(date +%s) - started )) s, $(( size / 1000000 )) MB"
