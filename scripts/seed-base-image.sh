#!/usr/bin/env bash
# Makes debian:bookworm-slim, the base of every bundled Dockerfile, available to the
# local Docker engine. On a normal machine that is a pull. Where no registry is
# reachable, an equivalent image is built from Debian's own packages (debootstrap
# --variant=minbase) and imported under the same tag, so the Dockerfiles stay
# exactly as they would be anywhere else.
set -euo pipefail

image=debian:bookworm-slim
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if docker image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi
if timeout 60 docker pull --quiet "$image" >/dev/null 2>&1; then
  echo "seed-base-image: pulled $image"
  exit 0
fi

echo "seed-base-image: no registry reachable; building $image from $mirror with debootstrap"
if ! command -v debootstrap >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
rootfs=$(mktemp -d /tmp/sockspec-rootfs-XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
# Slim images carry no package lists and no apt caches.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
tar -C "$rootfs" -c . | docker import --change 'CMD ["bash"]' - "$image" >/dev/null
echo "seed-base-image: imported $image"
