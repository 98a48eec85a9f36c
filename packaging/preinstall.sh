#!/bin/sh
set -e
if ! getent group switchboard >/dev/null; then
	groupadd --system switchboard
fi
if ! getent passwd switchboard >/dev/null; then
	useradd --system --gid switchboard --home-dir /var/lib/switchboard --shell /usr/sbin/nologin switchboard
fi
