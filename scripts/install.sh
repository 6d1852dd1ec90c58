#!/usr/bin/env bash
# Install Firebreak on a Raspberry Pi (Raspberry Pi OS / Debian 12, arm64 or armhf) as a
# supervised gateway: the agent under /opt/firebreak, its system user, the systemd units, the
# hardware watchdog, and Node-RED as a service of its own. Run from a built checkout
# (`npm ci && npm run build`) as root. Idempotent: run it again after an update.
#
#   sudo scripts/install.sh [--dry-run] [--no-node-red] [--prefix /opt/firebreak]
#   sudo scripts/install.sh --uninstall [--purge] [--dry-run]
#
# --dry-run prints every change it would make and makes none. --uninstall removes the program
# and the units but keeps /etc/firebreak (site file, secrets) and /var/lib/firebreak (buffer);
# --purge removes those and the users too. docs/INSTALL.md explains each step.
set -euo pipefail

PREFIX=/opt/firebreak
DRY_RUN=0
UNINSTALL=0
PURGE=0
NODE_RED=1
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ETC=/etc/firebreak
UNIT_DIR=/etc/systemd/system
SYSTEM_CONF_D=/etc/systemd/system.conf.d
AGENT_USER=firebreak
FLOWS_USER=firebreak-flows
# Node-RED 4 needs Node 18+; the agent needs Node 20+
NODE_MAJOR_MIN=20

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 64; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --uninstall) UNINSTALL=1 ;;
    --purge) PURGE=1 ;;
    --no-node-red) NODE_RED=0 ;;
    --prefix) PREFIX="${2:?--prefix needs a folder}"; shift ;;
    -h|--help) usage ;;
    *) echo "install.sh: unknown option $1" >&2; usage ;;
  esac
  shift
done

say() { printf '%s\n' "$*"; }
# Every change goes through run: printed with "would:" on a dry run, with "+" when done.
run() {
  if [ "$DRY_RUN" = 1 ]; then say "would: $*"; else say "+ $*"; "$@"; fi
}
# Writes stdin to a file (mode, owner) through run, so a dry run shows it and writes nothing.
write_file() { # path mode owner
  local tmp
  tmp="$(mktemp)"; cat > "$tmp"
  if [ "$DRY_RUN" = 1 ]; then say "would: write $1 (mode $2, owner $3)"; rm -f "$tmp"; return; fi
  say "+ write $1 (mode $2, owner $3)"
  install -m "$2" -o "${3%%:*}" -g "${3##*:}" "$tmp" "$1"; rm -f "$tmp"
}
die() { echo "install.sh: $*" >&2; exit 1; }

if [ "$DRY_RUN" = 0 ] && [ "$(id -u)" != 0 ]; then die "run as root (sudo), or with --dry-run to see what it would do"; fi

# ---- the machine -------------------------------------------------------------------------
machine="${FIREBREAK_ARCH:-$(uname -m)}"
case "$machine" in
  aarch64|arm64) arch=arm64 ;;
  armv7l|armv6l|armhf) arch=armhf ;;
  x86_64|amd64) arch=amd64 ;; # a bench PC; GPIO is then simulated or absent
  *) die "unsupported machine $machine (Raspberry Pi OS arm64 or armhf expected)" ;;
esac
say "Firebreak install: $([ "$UNINSTALL" = 1 ] && echo uninstall || echo install) on $arch ($machine), prefix $PREFIX$([ "$DRY_RUN" = 1 ] && echo ', dry run: nothing is changed')"

systemctl_() {
  # no systemd running (a container, an image being prepared in a chroot): enable and disable
  # still work offline (they are links); reload, re-exec and (re)start wait for the next boot
  if [ -d /run/systemd/system ]; then run systemctl "$@"; return; fi
  case "$1" in
    enable|disable) local a args=(); for a in "$@"; do [ "$a" = --now ] || args+=("$a"); done; run systemctl "${args[@]}" ;;
    *) say "note: systemd is not running here; at next boot instead of: systemctl $*" ;;
  esac
}

# ---- uninstall ---------------------------------------------------------------------------
if [ "$UNINSTALL" = 1 ]; then
  for unit in firebreak-node-red.service firebreak.service; do
    if [ -e "$UNIT_DIR/$unit" ]; then systemctl_ disable --now "$unit"; run rm -f "$UNIT_DIR/$unit"; fi
  done
  [ -e "$SYSTEM_CONF_D/firebreak-watchdog.conf" ] && run rm -f "$SYSTEM_CONF_D/firebreak-watchdog.conf"
  [ -L /usr/local/bin/firebreak ] || [ -e /usr/local/bin/firebreak ] && run rm -f /usr/local/bin/firebreak
  [ -d "$PREFIX" ] && run rm -rf "$PREFIX"
  systemctl_ daemon-reload
  if [ "$PURGE" = 1 ]; then
    for d in "$ETC" /var/lib/firebreak /var/lib/firebreak-node-red; do [ -d "$d" ] && run rm -rf "$d"; done
    for u in "$FLOWS_USER" "$AGENT_USER"; do getent passwd "$u" >/dev/null && run userdel "$u"; done
  else
    say "kept $ETC (site file, secrets) and /var/lib/firebreak (buffer); --purge removes them"
  fi
  say "uninstalled"
  exit 0
fi

# ---- what the install needs --------------------------------------------------------------
[ -f "$SRC/dist/agent/cli.js" ] || die "$SRC/dist/agent/cli.js missing: run npm ci && npm run build in $SRC first"
node_bin="$(command -v node || true)"
[ -n "$node_bin" ] || die "Node.js $NODE_MAJOR_MIN+ is not installed (Raspberry Pi OS 12 ships 18: install Node $NODE_MAJOR_MIN from nodejs.org's linux-$arch tarball into /usr/local)"
node_major="$("$node_bin" -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge "$NODE_MAJOR_MIN" ] || die "Node.js $("$node_bin" -v) is too old: Firebreak needs $NODE_MAJOR_MIN+"
if [ "$node_bin" != /usr/bin/node ]; then
  [ -e /usr/bin/node ] || run ln -s "$node_bin" /usr/bin/node   # the units run /usr/bin/node
fi

missing_pkgs=()
command -v openssl >/dev/null || missing_pkgs+=(openssl)     # the client key's CSR (firebreak provision --tls)
command -v gpioset >/dev/null || missing_pkgs+=(gpiod)       # the gpiod GPIO backend's tools
command -v systemd-notify >/dev/null || missing_pkgs+=(systemd)
if [ ${#missing_pkgs[@]} -gt 0 ]; then
  run apt-get install -y --no-install-recommends "${missing_pkgs[@]}"
fi

# ---- users and groups --------------------------------------------------------------------
getent group gpio >/dev/null || run groupadd --system gpio   # Raspberry Pi OS has it; plain Debian does not
getent group dialout >/dev/null || run groupadd --system dialout
if ! getent passwd "$AGENT_USER" >/dev/null; then
  run useradd --system --user-group --no-create-home --home-dir /var/lib/firebreak --shell /usr/sbin/nologin --groups dialout,gpio "$AGENT_USER"
else
  for g in dialout gpio; do
    id -nG "$AGENT_USER" | tr ' ' '\n' | grep -qx "$g" || run usermod -aG "$g" "$AGENT_USER"
  done
fi
if [ "$NODE_RED" = 1 ]; then
  if ! getent passwd "$FLOWS_USER" >/dev/null; then
    # group firebreak: read access to the feed socket only
    run useradd --system --user-group --no-create-home --home-dir /var/lib/firebreak-node-red --shell /usr/sbin/nologin --groups "$AGENT_USER" "$FLOWS_USER"
  fi
fi

# ---- the program -------------------------------------------------------------------------
run mkdir -p "$PREFIX"
# the built agent and what it reads at run time; node_modules is installed for this machine below
for item in dist package.json package-lock.json config schema flows systemd docs README.md; do
  [ -e "$SRC/$item" ] || continue
  if [ "$SRC" != "$PREFIX" ]; then run rm -rf "${PREFIX:?}/$item"; run cp -a "$SRC/$item" "$PREFIX/$item"; fi
done
# production dependencies only; sqlite3 and the serialport bindings come prebuilt for arm64/armhf
run npm ci --omit=dev --no-audit --no-fund --prefix "$PREFIX"
write_file /usr/local/bin/firebreak 0755 root:root <<EOF
#!/bin/sh
exec /usr/bin/node $PREFIX/dist/agent/cli.js "\$@"
EOF

# ---- configuration and secrets -----------------------------------------------------------
[ -d "$ETC" ] || run install -d -m 0750 -o root -g "$AGENT_USER" "$ETC"
[ -d "$ETC/secrets" ] || run install -d -m 0750 -o root -g "$AGENT_USER" "$ETC/secrets"
[ -d "$ETC/tls" ] || run install -d -m 0750 -o root -g "$AGENT_USER" "$ETC/tls"

if [ "$NODE_RED" = 1 ]; then
  nr_version="$("$node_bin" -p "require('$SRC/package.json').devDependencies['node-red']")"
  installed="$("$node_bin" -p "try{require('$PREFIX/node-red/node_modules/node-red/package.json').version}catch{''}" 2>/dev/null || true)"
  if [ "$installed" != "$nr_version" ]; then
    run mkdir -p "$PREFIX/node-red"
    run npm install --omit=dev --no-audit --no-fund --prefix "$PREFIX/node-red" "node-red@$nr_version"
  fi
  [ -d "$ETC/node-red" ] || run install -d -m 0700 -o root -g root "$ETC/node-red"
  if [ ! -f "$ETC/node-red/credential-secret" ]; then
    # encrypts the credentials of flows (webhook tokens) in /var/lib/firebreak-node-red
    openssl rand -hex 32 | write_file "$ETC/node-red/credential-secret" 0600 root:root
  fi
  if [ ! -f "$ETC/node-red/admin-auth.json" ]; then
    password="$(openssl rand -base64 12 | tr -d '/+=' | cut -c1-12)"
    if [ "$DRY_RUN" = 1 ]; then
      say "would: write $ETC/node-red/admin-auth.json (user admin, a new random password, bcrypt-hashed)"
    else
      hash="$(FB_PW="$password" "$node_bin" -e "process.stdout.write(require('$PREFIX/node-red/node_modules/bcryptjs').hashSync(process.env.FB_PW, 10))")"
      printf '{ "username": "admin", "password": "%s" }\n' "$hash" | write_file "$ETC/node-red/admin-auth.json" 0600 root:root
      say "Node-RED editor: user admin, password $password (shown once; ssh -L 1880:127.0.0.1:1880 to reach it)"
    fi
  fi
fi

# ---- systemd units and the hardware watchdog ---------------------------------------------
install_unit() { # file in $SRC/systemd, target folder
  if ! cmp -s "$SRC/systemd/$1" "$2/$1"; then run install -m 0644 "$SRC/systemd/$1" "$2/$1"; changed=1; fi
}
changed=0
install_unit firebreak.service "$UNIT_DIR"
[ "$NODE_RED" = 1 ] && install_unit firebreak-node-red.service "$UNIT_DIR"
[ -d "$SYSTEM_CONF_D" ] || run mkdir -p "$SYSTEM_CONF_D"
watchdog_changed=0
if ! cmp -s "$SRC/systemd/system.conf.d/firebreak-watchdog.conf" "$SYSTEM_CONF_D/firebreak-watchdog.conf"; then
  run install -m 0644 "$SRC/systemd/system.conf.d/firebreak-watchdog.conf" "$SYSTEM_CONF_D/firebreak-watchdog.conf"
  watchdog_changed=1
fi
# The Pi's watchdog device must be on for systemd to pet it (it is by default on recent images).
for cfg in /boot/firmware/config.txt /boot/config.txt; do
  if [ -f "$cfg" ]; then
    grep -qE '^\s*dtparam=watchdog=on' "$cfg" || { run sh -c "echo 'dtparam=watchdog=on' >> $cfg"; say "note: reboot once for dtparam=watchdog=on"; }
    break
  fi
done

[ "$changed" = 1 ] && systemctl_ daemon-reload
[ "$watchdog_changed" = 1 ] && systemctl_ daemon-reexec   # system.conf is read by PID 1 itself
systemctl_ enable firebreak.service
[ "$NODE_RED" = 1 ] && systemctl_ enable firebreak-node-red.service

if [ -f "$ETC/site.yaml" ]; then
  systemctl_ restart firebreak.service
  [ "$NODE_RED" = 1 ] && systemctl_ restart firebreak-node-red.service
  say "installed and running; check it with: firebreak doctor"
else
  say "installed; next: sudo firebreak provision, then sudo firebreak doctor, then sudo systemctl start firebreak$([ "$NODE_RED" = 1 ] && echo ' firebreak-node-red')"
fi
