#!/usr/bin/env bash
# Refresh every app's catalogues (zh_Hans, en) from the source; needs GNU gettext.
# Translate the new entries, then `kam compiletranslations`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
django_admin="${DJANGO_ADMIN:-$root/.venv/bin/django-admin}"
for app in "$root"/kam/*/; do
  [ -f "$app/apps.py" ] || continue
  mkdir -p "$app/locale"
  (cd "$app" && "$django_admin" makemessages -l zh_Hans -l en --no-obsolete --no-location >/dev/null)
  (cd "$app" && "$django_admin" makemessages -d djangojs -l zh_Hans -l en --no-obsolete --no-location \
     --ignore 'static/vendor/*' >/dev/null 2>&1 || true)
done
"$root/.venv/bin/python" "$root/scripts/fill_english.py" "$root/kam"
"$root/.venv/bin/python" "$root/scripts/translate_zh.py" "$root/kam"
