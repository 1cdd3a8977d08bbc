# Shared by the test scripts that fetch or install Debian packages (test/kernel/,
# test/arm64/): sourced, not run.

# apt_uri: the archive URI the machine's apt is configured with (deb822 sources
# first, then sources.list): other suites and architectures come from the same
# place, never a host name of our own.
apt_uri() {
	local uri
	uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' /etc/apt/sources.list)
	fi
	printf '%s' "$uri"
}

# apt_install_missing WHO PACKAGE...: installs those of the packages not installed
# yet, saying so under WHO's name. Other jobs on the machine may be running apt: it
# waits for apt's lock rather than fail.
apt_install_missing() {
	local who=$1 p
	shift
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ "${#missing[@]}" -eq 0 ]; then
		echo "$who: all $# packages already installed"
		return 0
	fi
	echo "$who: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get update -q -o DPkg::Lock::Timeout=600
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "$@"
}

# apt_private_options DIR [OPTION...]: sets the array `aptopts` to what an apt of
# our own needs, its lists and cache in DIR (no root-owned state touched, no lock
# taken), plus the -o OPTIONs given (another architecture).
apt_private_options() {
	local dir=$1
	shift
	aptopts=(
		-o "Dir::Etc::SourceList=$dir/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$dir/lists"
		-o "Dir::Cache=$dir/cache"
		-o Dir::State::status=/dev/null
		-o Debug::NoLocking=1
		# The cache may be a mktemp -d (0700): download as root, not as _apt.
		-o APT::Sandbox::User=root
		# Keep apt's binary cache of the lists (Debian's container images turn it
		# off): without it each apt call parses every suite's Packages again.
		-o "Dir::Cache::pkgcache=$dir/cache/pkgcache.bin"
		-o "Dir::Cache::srcpkgcache=$dir/cache/srcpkgcache.bin"
		"$@"
	)
}
