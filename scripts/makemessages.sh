#!/usr/bin/env bash
# Refresh the Indonesian catalogues. The project catalogue (lindung/locale) holds the strings of the apps without
# a catalogue of their own; an app with lindung/<app>/locale has its own, so that apps can be worked on apart.
set -euo pipefail
cd "$(dirname "$0")/../lindung"
lindung=../.venv/bin/lindung
ignore=()
for dir in */locale; do
  app=${dir%/locale}
  ignore+=(--ignore "$app/*")
  (cd "$app" && ../$lindung makemessages -l id --no-location --no-obsolete -v0)
done
$lindung makemessages -l id --no-location --no-obsolete -v0 "${ignore[@]}"
