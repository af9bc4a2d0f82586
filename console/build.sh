#!/usr/bin/env bash
# Runs one of the console's npm scripts for Maven (console/pom.xml) with the system Node.js and npm;
# nothing downloads a Node binary. Installs the locked dependencies (npm ci) first, unless
# node_modules was installed from the current package-lock.json already.
#   console/build.sh build | test
set -euo pipefail
cd "$(dirname "$0")"

die() { echo "console/build.sh: ERROR: $*" >&2; exit 1; }

script=${1:?usage: console/build.sh build|test}
command -v node >/dev/null || die "Node.js 20.19 or newer is needed to build the console, and 'node' is not on the PATH; install it: apt-get install nodejs npm."
command -v npm >/dev/null || die "npm is needed to build the console, and 'npm' is not on the PATH; install it (apt-get install nodejs npm)."
version=$(node -p 'process.versions.node')
IFS=. read -r major minor _ <<<"$version"
if ((major < 20 || (major == 20 && minor < 19))); then
  die "Node.js $version is too old to build the console (Vite needs 20.19 or newer); install a newer one (apt-get install nodejs npm from a repository that has Node.js 20 or 22)."
fi

# npm ci wipes and reinstalls node_modules: only when the lock is newer than the last install.
# --prefer-offline takes tarballs already in npm's cache without asking the registry again (the
# lock pins them and their integrity); a slow registry once made this step take 9 minutes in CI.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error
fi
exec npm run --silent "$script"
