#!/usr/bin/env bash
# Print the path of the Chromium the browser tests drive, or exit 1 (printing nothing).
# The one lookup, used by scripts/check-system.sh and the browser tests' fixture:
#   1. $CHROMIUM, when set (any browser binary Playwright can drive);
#   2. Debian's /usr/bin/chromium;
#   3. `chromium` or `chromium-browser` on PATH (Ubuntu's snap: /snap/bin/chromium).
set -u
debian=${CHROMIUM_DEBIAN_PATH:-/usr/bin/chromium}  # the tests point this elsewhere

if [ -n "${CHROMIUM:-}" ]; then
  if [ -x "$CHROMIUM" ]; then
    echo "$CHROMIUM"
    exit 0
  fi
  echo "CHROMIUM=$CHROMIUM is not an executable file" >&2
  exit 1
fi
if [ -x "$debian" ]; then
  echo "$debian"
  exit 0
fi
for name in chromium chromium-browser; do
  found=$(command -v "$name" 2>/dev/null) && [ -x "$found" ] && { echo "$found"; exit 0; }
done
exit 1
