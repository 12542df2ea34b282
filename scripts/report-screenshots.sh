#!/usr/bin/env sh
# The demo's lägesbild for its last meeting and its yearly lägesbild, rendered to PDF by the
# geo-service command and page by page to PNG in docs/screenshots/ (lagesbild-N.png,
# yearly-N.png). Needs pdftoppm (poppler-utils) and the demo database: run after `make demo`,
# or with GEO_SERVICE_DATABASE_URL pointing at a database with the demo loaded.
set -eu
cd "$(dirname "$0")/.."
out=docs/screenshots
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
.venv/bin/geo-service report --municipality 1275 --meeting 2026-11-17 --format pdf \
  --out "$tmp/lagesbild.pdf"
.venv/bin/geo-service report --municipality 1275 --year 2026 --format pdf --out "$tmp/yearly.pdf"
mkdir -p "$out"
rm -f "$out"/lagesbild-*.png "$out"/yearly-*.png
pdftoppm -r 72 -png "$tmp/lagesbild.pdf" "$out/lagesbild"
pdftoppm -r 72 -png "$tmp/yearly.pdf" "$out/yearly"
ls "$out"/lagesbild-*.png "$out"/yearly-*.png
