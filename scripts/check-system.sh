#!/usr/bin/env bash
# Check the system packages the app needs; install the missing ones when it can, else say exactly
# what to install and stop.
#   scripts/check-system.sh                 check (and install); exit 1 if a required one is missing
#   scripts/check-system.sh --list-missing  print the Debian package names still missing, one line
#   CHECK_VENV=1 ...      also Python's venv module, when .venv does not exist yet (PYTHON=python3)
#   CHECK_BROWSER=1 ...   also Chromium for the browser tests (scripts/find-chromium.sh)
#   CHECK_POSTGRES=1 ...  also the PostgreSQL server binaries for the PostgreSQL test run
#   CHECK_BENCH=1 ...     also what `make bench` needs (wrk); not for `make test`
#   NO_SYSTEM_INSTALL=1   never install, only name the command
# Installing happens with apt-get, as root, or through sudo when at a terminal (sudo asks for a
# password there). Anywhere else (no apt-get, no terminal, NO_SYSTEM_INSTALL=1) it prints the
# command and exits 1.
set -u
cd "$(dirname "$0")/.."

# ldconfig lives in /sbin, which is not on a normal user's PATH on Debian.
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
have_lib() { "$ldconfig" -p 2>/dev/null | grep -q "$1"; }
have_cmd() { command -v "$1" >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/"$1" >/dev/null 2>&1; }

missing() {
  required=()   # without these something fails
  advised=()    # without these something is slower
  have_lib "libpango-1.0.so.0" || required+=(libpango-1.0-0)
  have_lib "libpangoft2-1.0.so.0" || required+=(libpangoft2-1.0-0)
  have_lib "libharfbuzz-subset.so.0" || advised+=(libharfbuzz-subset0)
  have_cmd msgfmt || required+=(gettext)  # makemessages and compilemessages (Russian)
  if [ "${CHECK_VENV:-0}" = 1 ] && [ ! -x .venv/bin/python ]; then
    # Debian's Python makes virtualenvs only with its -venv package (ensurepip's wheels).
    local python=${PYTHON:-python3} probe
    probe=$(mktemp -d)
    "$python" -m venv "$probe/venv" >/dev/null 2>&1 || required+=("$(basename "$python")-venv")
    rm -rf "$probe"
  fi
  if [ "$list_all" = 1 ] || [ "${CHECK_POSTGRES:-0}" = 1 ]; then
    have_cmd initdb || required+=(postgresql)
  fi
  if [ "$list_all" = 1 ] || [ "${CHECK_BROWSER:-0}" = 1 ]; then
    # The browser tests drive the system's Chromium (never a downloaded browser).
    # Debian's package is chromium; Ubuntu's chromium-browser (which installs the snap).
    if ! scripts/find-chromium.sh >/dev/null; then
      if grep -qs '^ID=ubuntu' /etc/os-release; then
        required+=(chromium-browser)
      else
        required+=(chromium)
      fi
    fi
  fi
  if [ "${CHECK_BENCH:-0}" = 1 ]; then
    have_cmd wrk || required+=(wrk)  # the HTTP load generator of `make bench`
  fi
}

list_all=0
[ "${1:-}" = "--list-missing" ] && list_all=1
missing
if [ "$list_all" = 1 ]; then
  echo "${required[@]}" "${advised[@]}"
  exit 0
fi

to_install=("${required[@]}" "${advised[@]}")
if [ ${#to_install[@]} -gt 0 ] && [ "${NO_SYSTEM_INSTALL:-0}" != 1 ] \
  && command -v apt-get >/dev/null 2>&1; then
  as_root=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && [ -t 0 ]; then
      as_root=(sudo)
    else
      as_root=(none)
    fi
  fi
  if [ "${as_root[*]}" != none ]; then
    echo "Installing system packages: ${to_install[*]}" >&2
    if "${as_root[@]}" apt-get update -qq \
      && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${to_install[@]}"; then
      hash -r
      missing
    else
      echo "Installing them failed." >&2
    fi
  fi
fi

if [ ${#advised[@]} -gt 0 ]; then
  echo "Note: PDFs render about 3x faster with: sudo apt-get install ${advised[*]}" >&2
fi
if [ ${#required[@]} -gt 0 ]; then
  echo "Missing system packages. Install them with:" >&2
  echo "    sudo apt-get install ${required[*]}" >&2
  echo "(or run this as root, or at a terminal with sudo; NO_SYSTEM_INSTALL=1 never installs)" >&2
  exit 1
fi
