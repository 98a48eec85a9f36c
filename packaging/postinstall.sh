#!/bin/sh
set -e
chown -R switchboard:switchboard /var/lib/switchboard
if command -v systemctl >/dev/null 2>&1; then
	systemctl daemon-reload || true
	systemctl enable switchboard.service || true
	systemctl restart switchboard.service || true
fi
