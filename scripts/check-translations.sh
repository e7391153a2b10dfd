#!/usr/bin/env bash
# Every string of the Indonesian catalogue is translated (and none is fuzzy).
set -euo pipefail
po=lindung/locale/id/LC_MESSAGES/django.po
stats=$(LC_ALL=C msgfmt --statistics -c -o /dev/null "$po" 2>&1)
echo "msgfmt --statistics $po: $stats"
case "$stats" in
  *untranslated*|*fuzzy*) echo "Ada string yang belum diterjemahkan." >&2; exit 1 ;;
esac
