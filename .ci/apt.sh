# Sourced by the server scripts and the packaging test. apt_install
# installs Debian packages (apt-get install's arguments), waiting while
# another apt or dpkg holds their locks (a machine's unattended upgrade
# after boot, another installation) instead of failing at once. What apt
# prints goes to standard error: the server scripts' standard output is
# for their exports.

# apt_get runs apt-get, again while a lock is held (up to ten minutes).
apt_get() {
	local out try
	for try in $(seq 1 120); do
		if out=$(DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=60 "$@" 2>&1); then
			[ -z "$out" ] || echo "$out" >&2
			return 0
		fi
		echo "$out" >&2
		case $out in
		*"Could not get lock"* | *"Unable to acquire"* | *"Unable to lock"*)
			echo "apt-get: waiting for another package manager (try $try)" >&2
			sleep 5
			;;
		*) return 1 ;;
		esac
	done
	return 1
}

apt_install() {
	apt_get update -qq && apt_get install -y -qq "$@"
}
