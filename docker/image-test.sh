#!/bin/sh
# Smoke test of a built image: `make image-test ARCH=amd64|armv7` (after `make image`).
# Every container runs without network. In the image: `docvault --help`; Pillow, PyYAML
# and regex are Debian's; tesseract has eng deu fra spa ita and osd; `docvault process`
# reads a corpus image and a corpus PDF right. On this machine's own architecture also
# the compose stack, with a throwaway .env (docker-compose 1.x, and `docker compose`
# where installed): all services healthy, a PDF dropped into the inbox comes out owned by
# PUID:PGID, a stop lets the worker finish its document, `down -v` leaves nothing behind.
# The corpus (DOCVAULT_CORPUS, else ../shared/corpus beside the repository) holds the scans.
set -eu

ARCH=${1:-}
case "$ARCH" in
    amd64) DEB_ARCH=amd64; PLATFORM=linux/amd64 ;;
    armv7) DEB_ARCH=armhf; PLATFORM=linux/arm/v7 ;;
    *) echo "usage: $0 amd64|armv7" >&2; exit 2 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
IMAGE=docvault-ingest:$ARCH
CORPUS=${DOCVAULT_CORPUS:-$(dirname "$REPO")/shared/corpus}
IMAGE_SCAN=tesseract/phototest.tif      # with its exact ground truth, phototest.gold.txt
PDF_SCAN=ocrmypdf/ccitt.pdf             # a CCITT G4 scan of the linn brochure page
LANGUAGES="eng deu fra spa ita"

say() { echo "image-test: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

docker image inspect "$IMAGE" >/dev/null 2>&1 || fail "no image $IMAGE: run \`make image ARCH=$ARCH\` first"
for file in "$IMAGE_SCAN" "$PDF_SCAN" tesseract/phototest.gold.txt ocrmypdf/linn.txt; do
    [ -f "$CORPUS/$file" ] || fail "corpus file $CORPUS/$file missing (set DOCVAULT_CORPUS)"
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
native=$(dpkg --print-architecture)
emulated=""
[ "$DEB_ARCH" = "$native" ] || emulated=yes

# Offline, with the corpus read-only at /corpus.
in_image() {
    docker run --rm --network none --platform "$PLATFORM" -v "$CORPUS:/corpus:ro" "$IMAGE" "$@"
}

# --- The image's contents ------------------------------------------------------------

in_image docvault --help | grep -q "worker" || fail "docvault --help"
say "docvault --help: ok"

# Every package setup.cfg installs imports; the modules the Dockerfile takes from Debian
# (its `import ...; assert all(m.__file__.startswith('/usr/lib/python3/') ...` check) are
# Debian's in the built image too.
packages=$(python3 - "$REPO/setup.cfg" <<'PY'
import configparser, sys
cfg = configparser.ConfigParser()
cfg.read(sys.argv[1])
print(" ".join(p.strip().rstrip("*") for p in cfg["options.packages.find"]["include"].split() if p.strip()))
PY
)
debian=$(sed -n "s|.*python -c \"import \([A-Za-z0-9_, ]*\); assert all(m.__file__.startswith('/usr/lib/python3/').*|\1|p" \
    "$HERE/Dockerfile" | tr -d ',')
[ -n "$debian" ] || fail "no Debian Python modules named in docker/Dockerfile's check"
in_image python3 -c "
import importlib, sys
packages, debian = sys.argv[1].split(), sys.argv[2].split()
for name in packages:
    importlib.import_module(name)
for name in debian:
    path = importlib.import_module(name).__file__
    assert path.startswith('/usr/lib/python3/dist-packages/'), (name, path)
" "$packages" "$debian" || fail "Python packages"
say "packages $packages import; $debian from Debian: ok"

# tesseract's languages. Under qemu user emulation `tesseract --list-langs` lists none
# (its 32-bit directory read fails on the 64-bit host's filesystem), though every one
# loads: there, each language proves itself by reading the page instead.
listed=$(in_image tesseract --list-langs 2>/dev/null | tail -n +2 | tr '\n' ' ')
if [ -z "$emulated" ]; then
    for lang in $LANGUAGES osd; do
        case " $listed " in *" $lang "*) ;; *) fail "tesseract lacks $lang (lists: $listed)" ;; esac
    done
    say "tesseract --list-langs: $listed"
else
    say "emulated $ARCH: tesseract --list-langs says '${listed}' (a qemu limitation); reading with each language instead"
    for lang in $LANGUAGES; do
        in_image tesseract "/corpus/$IMAGE_SCAN" - -l "$lang" > "$out/$lang.txt" 2>/dev/null \
            || fail "tesseract cannot read with $lang"
        grep -q "point text" "$out/$lang.txt" || fail "tesseract with $lang did not read the page"
    done
    in_image tesseract "/corpus/$IMAGE_SCAN" - --psm 0 2>/dev/null | grep -q "Orientation in degrees" \
        || fail "tesseract cannot detect orientation (osd)"
    say "tesseract reads with $LANGUAGES and osd: ok"
fi

# The build's extra CA certificate (EXTRA_CA_CERT, as given to `make image`) is in no
# layer of the image: each of its certificates that the image's own bundles (Debian's,
# and pip's copy of Mozilla's) lack must not appear anywhere in `docker save`'s layers.
if [ -n "${EXTRA_CA_CERT:-}" ]; then
    in_image sh -c 'cat /etc/ssl/certs/ca-certificates.crt /opt/docvault/lib/python3*/site-packages/pip/_vendor/certifi/cacert.pem' \
        > "$out/image-bundles.pem"
    docker save "$IMAGE" > "$out/image.tar"
    python3 - "$EXTRA_CA_CERT" "$out/image-bundles.pem" "$out/image.tar" <<'PY' || fail "the extra CA certificate was left in the image"
import re, sys, tarfile
extra, bundled, image = (open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3])
bodies = re.findall(r"-----BEGIN CERTIFICATE-----\n(.*?)-----END CERTIFICATE-----", extra, re.S)
markers = [b.split()[2].encode() for b in bodies if b.split()[2] not in bundled]
if not markers:
    print("EXTRA_CA_CERT holds no certificate the image lacks anyway: nothing it could leave")
    sys.exit(0)
found = []
with tarfile.open(image) as outer:
    for member in outer:
        if member.name.endswith("layer.tar"):
            with tarfile.open(fileobj=outer.extractfile(member)) as layer:
                for entry in layer:
                    if entry.isfile():
                        data = layer.extractfile(entry).read()
                        found += [entry.name for m in markers if m in data]
print(f"{len(markers)} certificate(s) only in EXTRA_CA_CERT; found in the image: {found or 'none'}")
sys.exit(1 if found else 0)
PY
    rm -f "$out/image.tar"
    say "EXTRA_CA_CERT: not left in the image"
else
    say "EXTRA_CA_CERT not set: the check that the build's extra CA is not left in the image needs it"
fi

# docvault process on a scan image and a scanned PDF: the text, give or take a few glyphs.
similar() {  # similar FILE.json REFERENCE MIN_RATIO: word-level similarity of the text
    python3 - "$@" <<'PY'
import difflib, json, sys
record, reference, minimum = json.load(open(sys.argv[1])), open(sys.argv[2]).read(), float(sys.argv[3])
got, want = record["text"].split(), reference.split()
ratio = difflib.SequenceMatcher(None, got, want, autojunk=False).ratio()
print(f"{ratio:.3f}")
sys.exit(0 if ratio >= minimum else 1)
PY
}
for pair in "$IMAGE_SCAN:tesseract/phototest.gold.txt:0.95" "$PDF_SCAN:ocrmypdf/linn.txt:0.85"; do
    scan=${pair%%:*} rest=${pair#*:}
    reference=${rest%%:*} minimum=${rest#*:}
    started=$(date +%s%N)
    in_image docvault process "/corpus/$scan" > "$out/result.json" || fail "docvault process $scan"
    seconds=$(python3 -c "print(f'{($(date +%s%N) - $started) / 1e9:.1f}')")
    ratio=$(similar "$out/result.json" "$CORPUS/$reference" "$minimum") \
        || fail "docvault process $scan: text too far from $reference (word similarity $ratio < $minimum)"
    say "docvault process $scan: ${seconds} s, word similarity to $reference $ratio (>= $minimum)"
done

if [ -n "$emulated" ]; then
    say "all passed ($ARCH, emulated: the compose stack is tested on the native architecture)"
    exit 0
fi

# --- The compose stack ---------------------------------------------------------------

sh "$HERE/build-local.sh" "$ARCH" redis  # Docker Hub's redis:7.2-alpine is not needed

free_port() { python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"; }

compose_test() {  # compose_test COMMAND...: the whole stack with one compose client
    work=$(mktemp -d)
    project="docvault-imagetest-$$"
    data="$work/data"
    mkdir -p "$data"
    puid=1500 pgid=1501
    cat > "$work/.env" <<EOF
DATA_DIR=$data
REDIS_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
DASHBOARD_USERNAME=admin
DASHBOARD_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
API_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
PUID=$puid
PGID=$pgid
DASHBOARD_PORT=127.0.0.1:$(free_port)
API_PORT=127.0.0.1:$(free_port)
DOCVAULT_IMAGE=$IMAGE
REDIS_IMAGE=docvault-local/redis:$ARCH
WORKER_POLL_INTERVAL=5
EOF
    compose="$* --project-name $project --env-file $work/.env -f $REPO/compose.yaml"
    cleanup() {
        $compose down -v --remove-orphans >/dev/null 2>&1 || true
        rm -rf "$work"
    }
    trap 'cleanup; rm -rf "$out"' EXIT

    say "[$*] up"
    $compose up -d --no-build 2>&1 | sed 's/^/  /' >&2
    services=$($compose ps --services | sort | tr '\n' ' ')
    deadline=$(( $(date +%s) + 240 ))
    while :; do
        unhealthy=""
        for id in $($compose ps -q); do
            state=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id")
            [ "$state" = healthy ] || unhealthy="$unhealthy $(docker inspect -f '{{.Name}}' "$id"):$state"
        done
        [ -z "$unhealthy" ] && break
        [ "$(date +%s)" -lt "$deadline" ] || { $compose logs --tail 30 >&2; fail "[$*] not healthy:$unhealthy"; }
        sleep 3
    done
    say "[$*] healthy: $services"

    # A PDF dropped into the inbox comes out, owned by PUID:PGID.
    cp "$CORPUS/$PDF_SCAN" "$data/inbox/normal/dropped.pdf"
    wait_file "$data/outbox/dropped.json" 180 || { $compose logs --tail 30 >&2; fail "[$*] dropped.pdf did not come out"; }
    for file in dropped.json dropped.txt dropped.ocr.pdf; do
        owner=$(stat -c %u:%g "$data/outbox/$file")
        [ "$owner" = "$puid:$pgid" ] || fail "[$*] outbox/$file belongs to $owner, not $puid:$pgid"
    done
    say "[$*] dropped.pdf came out: json, txt, ocr.pdf owned by $puid:$pgid"

    # A stop while the worker reads a document lets it finish that document.
    cp "$CORPUS/$PDF_SCAN" "$data/inbox/normal/during-stop.pdf"
    deadline=$(( $(date +%s) + 120 ))
    until grep -qs '"attempts": 1' "$data"/work/tasks/*/task.json; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "[$*] the worker did not start during-stop.pdf"
        sleep 0.2
    done
    [ ! -f "$data/outbox/during-stop.json" ] || fail "[$*] during-stop.pdf was done before the stop: nothing tested"
    $compose stop 2>&1 | sed 's/^/  /' >&2
    [ -f "$data/outbox/during-stop.json" ] || fail "[$*] stopped before finishing during-stop.pdf"
    [ -z "$(ls -A "$data/work/tasks")" ] || fail "[$*] a task was left in work/tasks after the stop"
    say "[$*] stop: the worker finished during-stop.pdf first"

    $compose down -v 2>&1 | sed 's/^/  /' >&2
    left=$(docker ps -aq --filter "label=com.docker.compose.project=$project"; \
           docker volume ls -q --filter "label=com.docker.compose.project=$project"; \
           docker network ls -q --filter "label=com.docker.compose.project=$project")
    [ -z "$left" ] || fail "[$*] down -v left: $left"
    say "[$*] down -v: no container, volume or network left"
    cleanup
    trap 'rm -rf "$out"' EXIT
}

wait_file() {
    deadline=$(( $(date +%s) + $2 ))
    until [ -f "$1" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 1
    done
}

if command -v docker-compose >/dev/null 2>&1; then
    compose_test docker-compose
else
    fail "docker-compose is not installed: run \`sudo sh docker/host-setup.sh\`"
fi
if docker compose version >/dev/null 2>&1; then
    compose_test docker compose
else
    say "compose v2 (\`docker compose\`) is not installed here: tested with docker-compose 1.x only"
fi
say "all passed ($ARCH)"
