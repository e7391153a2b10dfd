#!/usr/bin/env bash
# Serve the web app and the background task worker together; Ctrl+C stops both.
set -euo pipefail
host=${1:-127.0.0.1}; port=${2:-8000}
bin=.venv/bin
$bin/lindung tasks-recover
$bin/lindung audit-checkpoint
$bin/lindung db_worker --no-reload >var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo "Pekerja tugas latar berjalan (log: var/worker.log)."
echo "Lindung berjalan di http://$host:$port/  (hentikan dengan Ctrl+C)"
$bin/lindung runserver "$host:$port" --noreload
