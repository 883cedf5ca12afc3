#!/usr/bin/env bash
# Installs the real components that tests run against (Debian packages), only when missing:
#   prometheus → the `prometheus` server and `promtool` (rule checks, rule unit tests, TSDB backfill).
#   prometheus-alertmanager → `prometheus-alertmanager`, which `runbook alerts --alertmanager` and
#                `runbook run --alert-file` (its webhook payload) are tested against.
#   postgresql → postgresql-<major> in /usr/lib/postgresql/<major>/bin: initdb, pg_ctl, postgres,
#                pg_basebackup and pgbench (on Debian 12 pgbench ships in postgresql-15, not -contrib).
# Needs root (or sudo) and Debian's package mirror; nothing else is downloaded.
set -euo pipefail
have_initdb() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }
missing=()
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
have_initdb || missing+=(postgresql)
if ((${#missing[@]} > 0)); then
  sudo=''
  [[ $(id -u) -eq 0 ]] || sudo='sudo'
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends "${missing[@]}"
  # The packages may start servers (Prometheus under systemd; Debian's postgresql creates and starts
  # a `main` cluster on 5432); tests start their own on free ports, so stop those and keep them off.
  if [[ " ${missing[*]} " == *' prometheus '* ]] && command -v systemctl >/dev/null 2>&1 &&
    systemctl is-active --quiet prometheus 2>/dev/null; then
    $sudo systemctl stop prometheus || true
  fi
  if [[ " ${missing[*]} " == *' prometheus-alertmanager '* ]] && command -v systemctl >/dev/null 2>&1 &&
    systemctl is-active --quiet prometheus-alertmanager 2>/dev/null; then
    $sudo systemctl stop prometheus-alertmanager || true
  fi
  if [[ " ${missing[*]} " == *' postgresql '* ]] && command -v pg_lsclusters >/dev/null 2>&1; then
    while read -r version cluster _port status _rest; do
      if [[ $status == online* ]]; then $sudo pg_ctlcluster "$version" "$cluster" stop || true; fi
      start_conf="/etc/postgresql/$version/$cluster/start.conf"
      if [[ -f $start_conf ]]; then echo manual | $sudo tee "$start_conf" >/dev/null; fi
    done < <(pg_lsclusters --no-header 2>/dev/null)
  fi
fi
pg_bin=$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -1)
echo "system dependencies present:"
echo "  $(promtool --version 2>&1 | head -1)"
echo "  $(prometheus-alertmanager --version 2>&1 | head -1)"
echo "  $("$pg_bin/postgres" --version) and $("$pg_bin/pgbench" --version) in $pg_bin"
