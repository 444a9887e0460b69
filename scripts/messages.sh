#!/usr/bin/env bash
# The Russian catalog (locale/ru/LC_MESSAGES/django.po), from the code:
#   scripts/messages.sh update    makemessages: add the code's new strings, drop the unused ones
#   scripts/messages.sh check     exit 1 (showing the diff) if `update` would change the catalog,
#                                 or if an entry is untranslated or fuzzy; the catalog is left as
#                                 it was
#   scripts/messages.sh compile   check the catalog's syntax and compile it (.mo, not committed)
# Locations are left out (--no-location), so moving code never changes the catalog; a run that
# would change nothing but the header's POT-Creation-Date keeps the file as it was.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
CATALOG=locale/ru/LC_MESSAGES/django.po
export DJANGO_SETTINGS_MODULE=config.settings_test

command -v msgfmt >/dev/null || {
  echo "makemessages and compilemessages need gettext: sudo apt-get install gettext" >&2
  exit 1
}

update() {
  local before
  before=$(mktemp)
  cp "$CATALOG" "$before"
  "$PY" manage.py makemessages -l ru --no-location --no-obsolete -v0 \
    --ignore=.venv --ignore=staticfiles --ignore=build --ignore=mutants --ignore=node_modules
  if diff -q <(grep -v '^"POT-Creation-Date: ' "$before") \
    <(grep -v '^"POT-Creation-Date: ' "$CATALOG") >/dev/null; then
    cp "$before" "$CATALOG"
  fi
  rm -f "$before"
}

case "${1:-}" in
  update)
    update
    ;;
  check)
    saved=$(mktemp)
    cp "$CATALOG" "$saved"
    trap 'cp "$saved" "$CATALOG"; rm -f "$saved"' EXIT
    update
    if ! diff -u --label "$CATALOG (committed)" --label "$CATALOG (makemessages)" \
      "$saved" "$CATALOG"; then
      echo "The catalog is not what makemessages makes of the code: run make messages," >&2
      echo "translate what it added (msgattrib --untranslated $CATALOG) and commit it." >&2
      exit 1
    fi
    untranslated=$(msgattrib --untranslated --no-obsolete "$CATALOG" | grep -c '^msgid ' || true)
    fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$CATALOG" | grep -c '^msgid ' || true)
    # Each count includes the header's empty msgid when there is any entry at all.
    if [ "$untranslated" -gt 1 ] || [ "$fuzzy" -gt 1 ]; then
      msgattrib --untranslated "$CATALOG" >&2
      msgattrib --only-fuzzy "$CATALOG" >&2
      echo "$CATALOG has untranslated or fuzzy entries (above): translate them." >&2
      exit 1
    fi
    ;;
  compile)
    msgfmt --check -o /dev/null "$CATALOG"
    "$PY" manage.py compilemessages --ignore=.venv --ignore=staticfiles -v0
    ;;
  *)
    echo "usage: $0 update|check|compile" >&2
    exit 2
    ;;
esac
