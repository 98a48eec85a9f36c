#!/usr/bin/env bash
# Signs a file with minisign (the Go implementation, from the module
# proxy): sign.sh FILE SIGNATURE. The secret key is the content of
# MINISIGN_SECRET_KEY; MINISIGN_PASSWORD opens it when it is encrypted.
# goreleaser calls it for checksums.txt (see goreleaser.yaml).
set -euo pipefail
MINISIGN=aead.dev/minisign/cmd/minisign@v0.3.0
[ $# -eq 2 ] || { echo "usage: $0 FILE SIGNATURE" >&2; exit 2; }
if [ -z "${MINISIGN_SECRET_KEY:-}" ]; then
	echo "sign.sh: MINISIGN_SECRET_KEY is not set: cannot sign $1" >&2
	exit 1
fi
umask 077
key=$(mktemp)
trap 'rm -f "$key"' EXIT
printf '%s\n' "$MINISIGN_SECRET_KEY" >"$key"
printf '%s\n' "${MINISIGN_PASSWORD:-}" |
	go run "$MINISIGN" -S -s "$key" -m "$1" -x "$2" -t "switchboard $(basename "$1")" >/dev/null
