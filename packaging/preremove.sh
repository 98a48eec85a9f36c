#!/bin/sh
set -e
if command -v systemctl >/dev/null 2>&1; then
	systemctl stop switchboard.service || true
	systemctl disable switchboard.service || true
fi
