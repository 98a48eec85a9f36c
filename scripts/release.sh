#!/usr/bin/env bash
# Builds a release with goreleaser: binaries and archives for six targets,
# a CycloneDX SBOM per archive, checksums.txt, .deb and .rpm packages, and
# checksums.txt.minisig, the checksums signed with MINISIGN_SECRET_KEY
# (and MINISIGN_PASSWORD). A release needs the key; a snapshot
# (--snapshot) skips signing when the key is not there.
#
# Usage: scripts/release.sh [--snapshot]
set -euo pipefail
cd "$(dirname "$0")/.."
GORELEASER=github.com/goreleaser/goreleaser/v2@v2.15.1
args=(release --clean)
if [ "${1:-}" = --snapshot ]; then
	args+=(--snapshot)
	if [ -z "${MINISIGN_SECRET_KEY:-}" ]; then
		echo "release.sh: no MINISIGN_SECRET_KEY: the snapshot's checksums are not signed"
		args+=(--skip=sign)
	fi
elif [ -z "${MINISIGN_SECRET_KEY:-}" ]; then
	echo "release.sh: a release is signed: set MINISIGN_SECRET_KEY (and MINISIGN_PASSWORD)" >&2
	exit 1
fi
exec go run "$GORELEASER" "${args[@]}"
