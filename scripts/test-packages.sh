#!/usr/bin/env bash
# Proof that each package works on its own architecture: into a clean Debian root (debootstrap,
# cached by scripts/package-roots.sh; arm64 and armhf under qemu-user-static) it installs
# out/packages/firebreak_*_<arch>.deb with `apt install ./…deb` (Debian's mirror is the only
# network), then runs `firebreak check` on the example, loads the native addons, runs
# `firebreak demo` until the page answers and a data message reaches the embedded broker,
# `firebreak safe-state`, and purges, checking that nothing of the package is left.
#
#   npm run package && npm run test:packages                 all three
#   npm run test:packages -- --arch arm64 [--suite bookworm]
#
# Needs root (chroot, mounts). Figures: out/test/figures.md; docs/PACKAGES.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/package-lib.sh

arches=amd64,arm64,armhf
suite=bookworm
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arches="${2:?--arch needs amd64, arm64 or armhf}"; shift ;;
    --suite) suite="${2:?--suite needs a Debian suite (bookworm)}"; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || die "run as root (chroot and mounts)"
version="$(node -p 'require("./package.json").version')"
tests="$PWD/out/test"
mkdir -p "$tests"
figures="$tests/figures.md"
started=$(date +%s)
failures=0
root=""

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
step() { log "$arch: $*"; }
fail() { echo "FAIL $arch: $*" >&2; failures=$((failures + 1)); }

unmount_root() {
  [ -n "$root" ] || return 0
  local m
  for m in $(findmnt -rn -o TARGET | grep -F "$root/" | sort -r); do umount -l "$m" || true; done
}
# Never rm -rf a root with /dev still bound into it.
remove_root() {
  unmount_root
  if findmnt -rn -o TARGET | grep -qF "$root/"; then die "$root: still mounted, not removed"; fi
  rm -rf "$root"
}
cleanup() { [ -n "${demo_pid:-}" ] && kill "$demo_pid" 2>/dev/null || true; unmount_root; }
trap cleanup EXIT

# Every path in the root, with owner and mode, but for what apt, dpkg and the kernel change on
# their own (caches, logs, dpkg's database, the shadow tools' backup files).
snapshot() {
  ( cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run -o -path ./tmp \
      -o -path ./var/cache -o -path ./var/log -o -path ./var/lib/apt -o -path ./var/lib/dpkg \) -prune -o \
      ! -name '*-' -printf '%p %u:%g %m\n' | sort )
  cat "$root/etc/passwd" "$root/etc/group" "$root/etc/shadow" "$root/etc/gshadow"
}

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

test_one() {
  arch="$1"
  local deb="$PWD/out/packages/firebreak_${version}_${arch}.deb" tarball t0 t1 port broker topic ok out
  [ -f "$deb" ] || { fail "$deb missing: npm run package -- --arch $arch"; return; }
  register_binfmt "$arch"
  tarball="$(scripts/package-roots.sh "$arch" "$suite")"
  root="$tests/$suite-$arch"
  remove_root; mkdir -p "$root"
  tar -xf "$tarball" -C "$root"
  mount -t proc proc "$root/proc"
  mount --bind /dev "$root/dev"
  mount -t tmpfs tmpfs "$root/tmp"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  cp "$deb" "$root/tmp/"

  step "apt-get update and the package's dependencies"
  t0=$(now)
  in_root apt-get update -qq >"$root/tmp/apt.log" 2>&1 || { fail "apt-get update"; tail "$root/tmp/apt.log" >&2; return; }
  # Depends alone (systemd, openssl, …): they stay after a purge, so the snapshot comes after them
  local depends
  depends="$(dpkg-deb -f "$deb" Depends | sed -e 's/([^)]*)//g' -e 's/,/ /g')"
  in_root apt-get install -y -qq --no-install-recommends $depends >>"$root/tmp/apt.log" 2>&1 || { fail "dependencies"; tail "$root/tmp/apt.log" >&2; return; }
  t1=$(now); deps_time=$(secs "$t0" "$t1")
  snapshot >"$tests/$arch.before"

  step "apt install ./$(basename "$deb")"
  t0=$(now)
  in_root apt-get install -y --no-install-recommends "/tmp/$(basename "$deb")" >"$tests/$arch.install.log" 2>&1 \
    || { fail "apt install"; tail -20 "$tests/$arch.install.log" >&2; return; }
  t1=$(now); install_time=$(secs "$t0" "$t1")
  grep -q 'not started (no /etc/firebreak/site.yaml yet)' "$tests/$arch.install.log" || fail "postinst did not say the agent waits for a site file"
  # names as the root knows them (its gids are not the build machine's)
  out="$(in_root stat -c '%U:%G %a' /etc/firebreak /etc/firebreak/secrets /etc/firebreak/tls | sort -u)"
  [ "$out" = "root:firebreak 750" ] || fail "/etc/firebreak and its folders are $out, not root:firebreak 750"
  in_root id -nG firebreak | tr ' ' '\n' | grep -qx gpio || fail "user firebreak is not in group gpio"
  in_root id -nG firebreak | tr ' ' '\n' | grep -qx dialout || fail "user firebreak is not in group dialout"
  [ -L "$root/etc/systemd/system/multi-user.target.wants/firebreak.service" ] || fail "firebreak.service is not enabled"
  in_root /opt/firebreak/node/bin/node --version | grep -q '^v20\.' || fail "the package's Node is not 20"

  step "firebreak check on the example"
  out="$(in_root firebreak check /opt/firebreak/config/site.example.yaml 2>&1)" || { fail "check exited $?: $out"; }
  echo "$out" | sed 's/^/  /' >&2

  step "native addons load on $arch"
  out="$(in_root /opt/firebreak/node/bin/node -e '
    const m = (p) => require("/opt/firebreak/node_modules/" + p);
    const db = new (m("sqlite3").Database)(":memory:");
    db.get("select sqlite_version() as v", (err, row) => {
      if (err) throw err;
      m("node-gyp-build")("/opt/firebreak/node_modules/@serialport/bindings-cpp");
      m("epoll");
      console.log("sqlite " + row.v + ", serialport bindings, epoll: loaded on " + process.arch);
    });' 2>&1)" || fail "addons: $out"
  echo "  $out" >&2

  step "firebreak demo: the page and a data message at the embedded broker"
  port="$(free_port)"
  mkdir -p "$root/tmp/demo"
  t0=$(now)
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp/demo LANG=C.UTF-8 \
    sh -c "cd /tmp/demo && exec firebreak demo --hmi-port $port" >"$tests/$arch.demo.log" 2>&1 &
  demo_pid=$!
  ok=0
  for _ in $(seq 1 600); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then ok=1; break; fi
    kill -0 "$demo_pid" 2>/dev/null || break
    sleep 0.5
  done
  t1=$(now); demo_time=$(secs "$t0" "$t1")
  if [ "$ok" = 1 ]; then
    broker="$(grep -o 'MQTT broker mqtt://[0-9.:]*' "$tests/$arch.demo.log" | head -1 | cut -d' ' -f3)"
    topic="$(grep -o 'topic root [^;]*' "$tests/$arch.demo.log" | head -1 | cut -d' ' -f3)"
    out="$(node scripts/package-wait-data.mjs "$broker" "$topic" 120 2>&1)" || fail "demo: $out"
    echo "  page http://127.0.0.1:$port/ answered after $demo_time s; $out" >&2
  else
    fail "demo: the page did not answer (log: $tests/$arch.demo.log)"; tail "$tests/$arch.demo.log" >&2
  fi
  kill -INT "$demo_pid" 2>/dev/null || true
  wait "$demo_pid" 2>/dev/null || true
  demo_pid=""
  rm -rf "$root/tmp/demo"

  step "firebreak safe-state"
  # The root has no GPIO: the example's sysfs backend must say so clearly (after onoff's epoll
  # addon loaded), and the same outputs on the simulator must go to their safe state.
  out="$(in_root firebreak safe-state --config /opt/firebreak/config/site.example.yaml 2>&1)" && fail "safe-state without GPIO exited 0: $out"
  echo "$out" | grep -q '/sys/class/gpio is not accessible' || fail "safe-state without GPIO: $out"
  sed 's/^gpio:$/gpio:\n  backend: sim/' "$root/opt/firebreak/config/site.example.yaml" >"$root/tmp/site.sim.yaml"
  out="$(in_root firebreak safe-state --config /tmp/site.sim.yaml 2>&1)" || fail "safe-state (sim) exited $?: $out"
  echo "$out" | grep -q '^sander1.permit: off (safe state)$' || fail "safe-state (sim): $out"
  echo "$out" | sed 's/^/  /' >&2

  step "apt purge firebreak"
  in_root apt-get purge -y firebreak >"$tests/$arch.purge.log" 2>&1 || { fail "purge"; tail "$tests/$arch.purge.log" >&2; }
  snapshot >"$tests/$arch.after"
  # ">": left behind or changed. "<": gone that was there before; only /opt may be, which no
  # Debian package owns, so dpkg takes it over with the package's files and removes it empty.
  diff "$tests/$arch.before" "$tests/$arch.after" | grep -E '^[<>]' | grep -vx '< ./opt root:root 755' >"$tests/$arch.left" || true
  if [ -s "$tests/$arch.left" ]; then
    fail "the purge left this behind (< before, > after):"; head -40 "$tests/$arch.left" >&2
  fi

  printf '| %s | %s | %s KiB | %s KiB | %s s | %s s | %s s |\n' "$suite" "$arch" "$(du -k "$deb" | cut -f1)" \
    "$(dpkg-deb -f "$deb" Installed-Size)" "$deps_time" "$install_time" "$demo_time" >>"$figures.part"
  remove_root
}

rm -f "$figures.part"
IFS=, read -r -a list <<<"$arches"
for a in "${list[@]}"; do test_one "$a"; done
{
  echo "| Debian | arch | .deb | installed | dependencies | apt install | demo page up |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  cat "$figures.part" 2>/dev/null
  echo
  echo "total $(( $(date +%s) - started )) s for $arches on $suite"
} >"$figures"
rm -f "$figures.part"
cat "$figures"
[ "$failures" = 0 ] || die "$failures failure(s)"
log "all passed"
