#!/usr/bin/env bash
# Makes debian:bookworm-slim, the base of every bundled Dockerfile, available to the
# local Docker engine. On a normal machine that is a pull. Where no registry is
# reachable, an equivalent image is built from Debian's own packages (debootstrap
# --variant=minbase) and imported under the same tag, so the Dockerfiles stay
# exactly as they would be anywhere else.
#
# The Debian mirror is DEBIAN_MIRROR if set, else the bookworm main archive this
# machine's apt already uses (no host name is written here: the machine knows its own).
# --print-mirror prints that mirror and exits, without Docker.
# SOCKSPEC_APT_SOURCES_DIR and SOCKSPEC_APT_SOURCES_LIST point elsewhere than /etc/apt (for tests).
set -euo pipefail

image=debian:bookworm-slim
apt_sources_dir=${SOCKSPEC_APT_SOURCES_DIR:-/etc/apt/sources.list.d}
apt_sources_list=${SOCKSPEC_APT_SOURCES_LIST:-/etc/apt/sources.list}

# The first URI of a deb822 stanza (*.sources) of binary packages whose Suites include
# bookworm itself (bookworm-security and bookworm-updates are other archives) and main.
mirror_from_deb822() {
  shopt -s nullglob
  local files=("$apt_sources_dir"/*.sources)
  shopt -u nullglob
  [ ${#files[@]} -gt 0 ] || return 0
  awk '
    function has(list, word,   items, n, i) {
      n = split(list, items, " ")
      for (i = 1; i <= n; i++) if (items[i] == word) return 1
      return 0
    }
    function finish(   uris) {
      if (!found && !has(tolower(field["enabled"]), "no") && has(field["types"], "deb") &&
          has(field["suites"], "bookworm") && has(field["components"], "main") && split(field["uris"], uris, " ") > 0) {
        print uris[1]
        found = 1
      }
      split("", field)
      key = ""
    }
    FNR == 1 { finish() }
    /^[ \t]*$/ { finish(); next }
    /^#/ { next }
    /^[ \t]/ { if (key != "") field[key] = field[key] " " $0; next }
    index($0, ":") > 0 { key = tolower(substr($0, 1, index($0, ":") - 1)); field[key] = substr($0, index($0, ":") + 1) }
    END { finish() }
  ' "${files[@]}"
}

# The URI of the first "deb [options] URI bookworm ... main ..." line of sources.list.
mirror_from_sources_list() {
  [ -f "$apt_sources_list" ] || return 0
  awk '
    { sub(/#.*/, "") }
    $1 == "deb" && !found {
      i = 2
      if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
      main = 0
      for (c = i + 2; c <= NF; c++) if ($c == "main") main = 1
      if ($(i + 1) == "bookworm" && main) { print $i; found = 1 }
    }
  ' "$apt_sources_list"
}

debian_mirror() {
  local found=${DEBIAN_MIRROR:-}
  [ -n "$found" ] || found=$(mirror_from_deb822)
  [ -n "$found" ] || found=$(mirror_from_sources_list)
  if [ -z "$found" ]; then
    echo "seed-base-image: no bookworm main archive in $apt_sources_dir/*.sources or $apt_sources_list; set DEBIAN_MIRROR to a Debian mirror's URL" >&2
    exit 1
  fi
  echo "$found"
}

case "${1:-}" in
  '') ;;
  --print-mirror) debian_mirror; exit 0 ;;
  *) echo "usage: $0 [--print-mirror]" >&2; exit 2 ;;
esac

if docker image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi
if timeout 60 docker pull --quiet "$image" >/dev/null 2>&1; then
  echo "seed-base-image: pulled $image"
  exit 0
fi

mirror=$(debian_mirror)
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
