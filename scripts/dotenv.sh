#!/usr/bin/env bash
# Write (or replace) one KEY=VALUE line in the project's .env, which the geo-service command reads,
# so that the README's commands find the database that `make demo` started.
#   dotenv.sh KEY VALUE
set -euo pipefail
cd "$(dirname "$0")/.."
key=$1 value=$2
touch .env
grep -v "^${key}=" .env > .env.tmp || true
echo "${key}=${value}" >> .env.tmp
mv .env.tmp .env
