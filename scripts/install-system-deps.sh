#!/usr/bin/env bash
# Installs the real components that tests run against (Debian packages), only when missing:
#   prometheus → the `prometheus` server and `promtool` (rule checks, rule unit tests, TSDB backfill).
# Needs root (or sudo) and Debian's package mirror; nothing else is downloaded.
set -euo pipefail
missing=()
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
if ((${#missing[@]} == 0)); then
  echo "system dependencies present: $(promtool --version 2>&1 | head -1)"
  exit 0
fi
sudo=''
[[ $(id -u) -eq 0 ]] || sudo='sudo'
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
# The Debian package may enable a service on machines with systemd; tests start their own servers.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
  $sudo systemctl stop prometheus || true
fi
promtool --version 2>&1 | head -1
