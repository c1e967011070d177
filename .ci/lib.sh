# Shared by .ci/run and its lanes (sourced).

# apt_install <package>...: installs what is missing; the package index is
# updated at most once per CI run (a marker in /tmp).
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local marker=/tmp/iocp-net-ci-apt-updated
  if [ ! -f "$marker" ]; then
    apt-get update -qq && touch "$marker"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
