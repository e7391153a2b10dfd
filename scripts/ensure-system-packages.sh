#!/usr/bin/env bash
# Install Debian packages that are missing (needs root, as on this project's machines).
set -euo pipefail
declare -A probe=([gettext]=/usr/bin/msgfmt [chromium]=/usr/bin/chromium [chromium-driver]=/usr/bin/chromedriver
                  [postgresql]=/usr/bin/pg_ctlcluster)
missing=()
for pkg in "$@"; do
  if [ -n "${probe[$pkg]:-}" ]; then
    [ -e "${probe[$pkg]}" ] || missing+=("$pkg")
  else
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Memasang paket sistem: ${missing[*]}"
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
