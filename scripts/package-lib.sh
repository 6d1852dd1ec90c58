# Shared by the packaging scripts (sourced, not run).

DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
DEBIAN_SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# qemu's handler for a foreign architecture, registered with the F flag (the interpreter is
# opened at registration, so it runs inside a chroot that has no qemu of its own).
register_binfmt() { # debian-arch
  local name
  case "$1" in
    amd64) return 0 ;;
    arm64) name=qemu-aarch64 ;;
    armhf) name=qemu-arm ;;
    *) die "unknown architecture $1" ;;
  esac
  [ -f "/usr/lib/binfmt.d/$name.conf" ] || die "$name missing: apt-get install qemu-user-static"
  [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  [ -e "/proc/sys/fs/binfmt_misc/$name" ] || cat "/usr/lib/binfmt.d/$name.conf" > /proc/sys/fs/binfmt_misc/register
}
