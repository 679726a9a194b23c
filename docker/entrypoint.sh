#!/bin/sh
# Runs every DocVault role as the share's owner, as NAS images do: the container starts as
# root only to give the docvault user the UID/GID in PUID/PGID, then drops to it, so what
# lands in the outbox belongs to whoever owns the share. Started with `--user`, it changes
# nothing and runs the command as that user.
set -eu

if [ "$(id -u)" -ne 0 ]; then
    exec "$@"
fi

PUID="${PUID:-1000}"
PGID="${PGID:-1000}"
for value in "$PUID" "$PGID"; do
    case "$value" in
        "" | *[!0-9]*)
            echo "docvault: PUID and PGID must be numbers (PUID=$PUID PGID=$PGID); see .env" >&2
            exit 2 ;;
    esac
done

if [ "$PUID" -eq 0 ]; then
    echo "docvault: PUID=0, so running as root; files in the outbox will belong to root" >&2
    exec "$@"
fi

[ "$(id -g docvault)" = "$PGID" ] || groupmod --non-unique --gid "$PGID" docvault
[ "$(id -u docvault)" = "$PUID" ] || usermod --non-unique --uid "$PUID" docvault

as_user() {
    setpriv --reuid=docvault --regid=docvault --init-groups -- "$@"
}

# The folders a role writes to must be writable by PUID/PGID. A share path that did not
# exist is created by Docker as an empty root-owned folder: hand that one over; anything
# else stays as the owner set it, and a clear message says what to change.
check_writable() {
    dir=$1
    while [ ! -e "$dir" ]; do dir=$(dirname "$dir"); done
    if [ "$(stat -c %u "$dir")" -eq 0 ] && [ -z "$(ls -A "$dir")" ] && [ "$dir" != / ]; then
        chown "$PUID:$PGID" "$dir"
    fi
    if ! as_user test -w "$dir"; then
        echo "docvault: $dir is not writable for PUID=$PUID PGID=$PGID (it belongs to" \
            "$(stat -c %u:%g "$dir")). Give that user read/write access to the share, or" \
            "set PUID and PGID in .env to the share owner's numbers (\`id USER\` on the NAS)." >&2
        exit 1
    fi
}

case "$*" in
    "docvault watch"* | "docvault worker"* | "docvault up"*)
        for dir in "${INBOX_DIR:-/data/inbox}" "${OUTBOX_DIR:-/data/outbox}" "${UPLOAD_DIR:-/data/work}"; do
            check_writable "$dir"
        done ;;
esac

export HOME=/home/docvault USER=docvault
umask "${UMASK:-0002}"
exec setpriv --reuid=docvault --regid=docvault --init-groups -- "$@"
