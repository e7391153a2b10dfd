#!/usr/bin/env bash
# Every string of every Indonesian catalogue is translated (and none is fuzzy).
set -euo pipefail
status=0
for po in lindung/locale/id/LC_MESSAGES/django.po lindung/*/locale/id/LC_MESSAGES/django.po; do
  [ -f "$po" ] || continue
  stats=$(LC_ALL=C msgfmt --statistics -c -o /dev/null "$po" 2>&1)
  echo "msgfmt --statistics $po: $stats"
  case "$stats" in
    *untranslated*|*fuzzy*) echo "Ada string yang belum diterjemahkan: $po" >&2; status=1 ;;
  esac
done
exit $status
