#!/usr/bin/env bash
# Check the system packages the app needs and say exactly what to install.
#   scripts/check-system.sh                 report; exit 1 if a required package is missing
#   scripts/check-system.sh --list-missing  print the Debian package names to install, one line
#   CHECK_BENCH=1 ...                       also what `make bench` needs (wrk); not for `make test`
set -u

have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_cmd() { command -v "$1" >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/"$1" >/dev/null 2>&1; }

required=()   # without these something fails
advised=()    # without these something is slower

have_lib "libpango-1.0.so.0" || required+=(libpango-1.0-0)
have_lib "libpangoft2-1.0.so.0" || required+=(libpangoft2-1.0-0)
have_lib "libharfbuzz-subset.so.0" || advised+=(libharfbuzz-subset0)
command -v msgfmt >/dev/null 2>&1 || required+=(gettext)  # compilemessages (Russian)
if [ "${1:-}" = "--list-missing" ] || [ "${CHECK_POSTGRES:-0}" = 1 ]; then
  have_cmd initdb || required+=(postgresql)
fi
if [ "${1:-}" = "--list-missing" ] || [ "${CHECK_BROWSER:-0}" = 1 ]; then
  # The browser test drives Debian's Chromium (never a downloaded browser).
  [ -x /usr/bin/chromium ] || required+=(chromium)
fi

if [ "${CHECK_BENCH:-0}" = 1 ]; then
  command -v wrk >/dev/null 2>&1 || required+=(wrk)  # the HTTP load generator of `make bench`
fi

if [ "${1:-}" = "--list-missing" ]; then
  echo "${required[@]}" "${advised[@]}"
  exit 0
fi
if [ ${#advised[@]} -gt 0 ]; then
  echo "Note: PDFs render about 3x faster with: sudo apt-get install ${advised[*]}" >&2
fi
if [ ${#required[@]} -gt 0 ]; then
  echo "Missing system packages. Install them with:" >&2
  echo "    sudo apt-get install ${required[*]}" >&2
  exit 1
fi
