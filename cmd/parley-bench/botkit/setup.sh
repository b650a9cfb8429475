#!/usr/bin/env bash
# Installs the Botkit peer's packages (the versions of package-lock.json)
# into node_modules here. parley-bench runs the same npm ci by itself when
# they are missing; .ci/run calls this so the peer's test never skips.
# Install scripts stay off (.npmrc): botbuilder-dialogs' postinstall runs
# `npx rimraf`, which would fetch rimraf, only to tidy its own nested
# copies of a dependency; the bot does not need it.
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null || { echo "setup.sh: node is not installed (apt-get install nodejs npm)" >&2; exit 1; }
npm ci --silent
