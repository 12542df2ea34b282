#!/usr/bin/env bash
# Create .venv and install the project with its test extras; installs python3-venv if Debian lacks it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    pkg="python$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')-venv"
    echo "venv: installing $pkg" >&2
    if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q "$pkg" python3-venv >&2 || { apt-get update -q >&2; apt-get install -y -q "$pkg" >&2; }
    elif sudo -n true 2>/dev/null; then sudo -n apt-get install -y -q "$pkg" >&2
    else echo "Python's venv module is missing. Run: sudo apt-get install -y $pkg" >&2; exit 1
    fi
    "$PY" -m venv .venv
  fi
fi
# `venv.sh test` installs only the Debian packages marked `test` (what `make test` adds).
want=${1:-service}
missing=()
while read -r pkg scope; do
  [ -z "$pkg" ] && continue
  [ "${scope:-service}" = "$want" ] || continue
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done < <(grep -v '^#' scripts/debian-packages.txt)
if [ ${#missing[@]} -gt 0 ]; then
  echo "venv: installing Debian packages ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q "${missing[@]}" >&2 || { apt-get update -q >&2; apt-get install -y -q "${missing[@]}" >&2; }
  elif sudo -n true 2>/dev/null; then sudo -n apt-get install -y -q "${missing[@]}" >&2
  else echo "Missing Debian packages. Run: sudo apt-get install -y ${missing[*]}" >&2; exit 1
  fi
fi
[ "$want" = test ] && exit 0
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
