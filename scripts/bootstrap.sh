#!/usr/bin/env bash
# Installs everything the OMS needs on a Debian/Ubuntu machine: system libraries (when root),
# uv, the locked Python dependencies in .venv, and compiled translations.
# Usage: scripts/bootstrap.sh [--with-browser]
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_BROWSER=0
[ "${1:-}" = "--with-browser" ] && WITH_BROWSER=1
export UV_PYTHON_DOWNLOADS=never

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- Python -----------------------------------------------------------------------------
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "Python 3.11 or newer is needed as '$PYTHON'. On Debian/Ubuntu: sudo apt-get install python3 python3-venv" >&2
  exit 1
fi

# --- System libraries ----------------------------------------------------------------------
missing=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib 'libpango-1.0.so' || missing+=(libpango-1.0-0)
have_lib 'libpangoft2-1.0.so' || missing+=(libpangoft2-1.0-0)
have_lib 'libharfbuzz-subset.so' || missing+=(libharfbuzz-subset0)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-zenhei)
command -v fc-list >/dev/null || missing+=(fontconfig)
command -v msgfmt >/dev/null || missing+=(gettext)
if [ "$WITH_BROWSER" = 1 ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v zbarimg >/dev/null || missing+=(zbar-tools)
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "Installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages. Run this, then the command again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

# --- uv and the locked dependencies ---------------------------------------------------------
UV=$(command -v uv || true)
if [ -z "$UV" ]; then
  if [ ! -x var/uv/bin/uv ]; then
    say "Installing uv into var/uv"
    "$PYTHON" -m venv var/uv
    var/uv/bin/pip install -q 'uv==0.13.9'
  fi
  UV=var/uv/bin/uv
fi
say "Installing Python dependencies from uv.lock"
# --compile-bytecode: the dependencies' .pyc files are written once here. Where PYTHONDONTWRITEBYTECODE is
# set (it is on some machines) no process would write them, and every process (a gunicorn or Celery worker,
# a management command, a test run) compiled Django and the rest from source: about 8 s instead of 2.7 s.
"$UV" sync --frozen --python "$PYTHON" -q --compile-bytecode

say "Compiling translations"
msgfmt --check -o locale/zh_Hans/LC_MESSAGES/django.mo locale/zh_Hans/LC_MESSAGES/django.po
mkdir -p var/staticfiles
