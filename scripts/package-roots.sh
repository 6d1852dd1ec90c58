#!/usr/bin/env bash
# Clean Debian roots for the package tests, one per architecture, made once with debootstrap
# and kept as a tarball under out/roots/ (git-ignored); each test unpacks a fresh copy.
# Foreign architectures run under qemu-user-static through binfmt_misc.
#
#   scripts/package-roots.sh ARCH [SUITE]      prints the cached tarball's path
#
# Needs root, debootstrap, qemu-user-static (for arm64, armhf) and Debian's mirror.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/package-lib.sh

arch="${1:?usage: package-roots.sh amd64|arm64|armhf [bookworm]}"
suite="${2:-bookworm}"
roots="${FIREBREAK_ROOTS_DIR:-$PWD/out/roots}"
tarball="$roots/debian-$suite-$arch.tar"
mkdir -p "$roots"
if [ -s "$tarball" ]; then echo "$tarball"; exit 0; fi

[ "$(id -u)" = 0 ] || die "debootstrap needs root"
command -v debootstrap >/dev/null || die "debootstrap missing: apt-get install debootstrap"
register_binfmt "$arch"

work="$(mktemp -d "$roots/.debootstrap-$arch.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# minbase: what apt needs and nothing else, so the package's Depends are what brings the rest
log "debootstrap $suite $arch (minbase) into $work"
nice -n 15 debootstrap --arch="$arch" --variant=minbase "$suite" "$work/root" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap $suite $arch failed (log above)"; }
# the security and updates suites, as a real gateway has them
cat >"$work/root/etc/apt/sources.list" <<SOURCES
deb $DEBIAN_MIRROR $suite main
deb $DEBIAN_MIRROR $suite-updates main
deb $DEBIAN_SECURITY_MIRROR $suite-security main
SOURCES
rm -rf "$work/root/var/cache/apt/archives/"*.deb
tar -C "$work/root" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
log "cached $tarball ($(du -m "$tarball" | cut -f1) MiB)"
echo "$tarball"
