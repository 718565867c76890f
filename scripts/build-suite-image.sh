#!/usr/bin/env bash
# Builds the suite's image (the root Dockerfile) from the package as `npm pack` makes
# it. Its dependencies are installed here, with this machine's npm configuration
# (registry, certificates), so the image build itself reaches only the registry's
# Node.js and npm packages. Usage: scripts/build-suite-image.sh [TAG] (default sockspec:latest)
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-sockspec:latest}
registry=$(npm config get registry)
[ -n "$registry" ] || { echo "build-suite-image: npm names no registry (npm config get registry)" >&2; exit 1; }
context=$(mktemp -d /tmp/sockspec-image-XXXXXX)
trap 'rm -rf "$context"' EXIT
tarball=$(npm pack --silent --pack-destination "$context" | tail -1)
mkdir "$context/app"
echo '{ "name": "sockspec-image", "private": true }' >"$context/app/package.json"
npm install --prefix "$context/app" --omit=dev --no-audit --no-fund --no-save --loglevel=error "$context/$tarball"
rm "$context/$tarball"
docker build --quiet --file Dockerfile --tag "$tag" \
  --build-arg NPM_REGISTRY="${registry%/}/" \
  --build-arg NODE_VERSION="$(node -p process.versions.node)" \
  --build-arg NPM_VERSION="$(npm --version)" \
  "$context" >/dev/null
echo "build-suite-image: built $tag"
