#!/usr/bin/env bash
# Install what the tests need and run them: the project in a virtualenv, PostgreSQL on
# 127.0.0.1:5432 (database `test`, trust auth for loopback), Chromium with CJK fonts for the
# report test, and LibreOffice Calc with pdftotext for the workbook print test. Safe to run again;
# starts only what is not already running.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { $SUDO apt-get update -qq >/dev/null; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
}

log "python environment"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e ".[test]"

log "postgresql"
pg_up() { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; }
if ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "installing postgresql"; apt_install postgresql
  fi
  ver=$(ls /etc/postgresql | sort -n | tail -1)
  hba=/etc/postgresql/$ver/main/pg_hba.conf
  # Tests connect over loopback without a password, as on the development machines.
  if ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
    $SUDO sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  # Process-level tests (concurrent writers, several serve processes) open many connections at once.
  echo "max_connections = 1000" | $SUDO tee "/etc/postgresql/$ver/main/conf.d/hotline-ledger-tests.conf" >/dev/null
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start || $SUDO pg_ctlcluster "$ver" main start
  for _ in $(seq 30); do pg_up && break; sleep 1; done
fi
pg_up || { echo "PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1; }
# A server that was already running may keep the default of 100 connections, too few for the
# process-level tests; raise it where this user may (a local cluster this script can restart).
conns=$(psql -h 127.0.0.1 -U postgres -d postgres -Atc 'show max_connections' 2>/dev/null || echo 0)
if [ "${conns:-0}" -lt 1000 ] && ls /etc/postgresql/*/main >/dev/null 2>&1; then
  ver=$(ls /etc/postgresql | sort -n | tail -1)
  if psql -h 127.0.0.1 -U postgres -d postgres -qc 'ALTER SYSTEM SET max_connections = 1000' 2>/dev/null; then
    echo "raising PostgreSQL's max_connections from $conns to 1000 (restart)"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main restart || $SUDO pg_ctlcluster "$ver" main restart || true
    for _ in $(seq 30); do pg_up && break; sleep 1; done
  fi
fi
pg_up || { echo "PostgreSQL is not running on 127.0.0.1:5432" >&2; exit 1; }
if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -d postgres -c 'CREATE DATABASE test' >/dev/null
fi

log "chromium (report rendering test and the web journeys through Playwright: the system browser, no download)"
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  apt_install chromium fonts-wqy-microhei || echo "chromium could not be installed: the browser test will say so"
elif ! fc-list 2>/dev/null | grep -qi 'wqy\|noto sans cjk'; then
  apt_install fonts-wqy-microhei || true
fi

log "libreoffice and pdftotext (the workbook is printed to check no formula runs)"
if ! command -v soffice >/dev/null || ! command -v pdftotext >/dev/null; then
  apt_install libreoffice-calc-nogui poppler-utils || echo "libreoffice could not be installed: the workbook print test will say so"
fi

log "ruff"
.venv/bin/ruff check .

log "pytest"
exec .venv/bin/pytest -q "$@"
