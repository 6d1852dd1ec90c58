#!/usr/bin/env bash
# Builds the offline Debian packages, one per architecture, on this x86-64 machine:
#   out/packages/firebreak_<version>_<arch>.deb   for amd64, arm64, armhf
# each with the built agent, its production node_modules (native addons compiled for that
# architecture, cross-compiled with Debian's crossbuild-essential-*), the pinned Node runtime
# (packaging/node-runtime.sh), the systemd units and the maintainer scripts (packaging/debian).
#
#   npm ci && npm run package                     all three
#   npm run package -- --arch arm64               one (or a comma-separated list)
#
# Needs dpkg-deb, file, the npm registry, and for ARM crossbuild-essential-arm64/-armhf
# (apt-get install crossbuild-essential-arm64 crossbuild-essential-armhf). docs/PACKAGES.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/package-lib.sh
. packaging/node-runtime.sh

arches=amd64,arm64,armhf
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arches="${2:?--arch needs amd64, arm64 or armhf}"; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (--arch amd64,arm64,armhf)" ;;
  esac
  shift
done

[ "$(uname -m)" = x86_64 ] || die "the cross toolchains below are for an x86-64 build machine, not $(uname -m)"
for tool in dpkg-deb file readelf npm; do command -v "$tool" >/dev/null || die "$tool missing"; done
version="$(node -p 'require("./package.json").version')"
out="$PWD/out"
# the commit's time as every file's time, so two builds of one commit give the same files
SOURCE_DATE_EPOCH="$(git log -1 --format=%ct 2>/dev/null || date +%s)"
export SOURCE_DATE_EPOCH

log "build the agent"
npm run build --silent

# The registry's tarball of the pinned runtime, checked against the pinned integrity.
fetch_node() { # debian-arch -> prints the unpacked folder (bin/node, include/node)
  local spec integrity tgz got dir
  read -r spec integrity <<<"$(eval echo "\$NODE_RUNTIME_$1")"
  dir="$out/cache/${spec/@/-}"
  if [ ! -x "$dir/bin/node" ]; then
    mkdir -p "$out/cache"
    tgz="$out/cache/$(cd "$out/cache" && npm pack "$spec" --silent)"
    got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
    [ "$got" = "$integrity" ] || die "$spec: integrity $got is not the pinned $integrity"
    rm -rf "$dir.part" && mkdir -p "$dir.part"
    tar -xzf "$tgz" -C "$dir.part" --strip-components=1 && rm -f "$tgz" && mv "$dir.part" "$dir"
  fi
  echo "$dir"
}

# What `file` says of an ELF object built for each architecture.
elf_pattern() {
  case "$1" in amd64) echo 'ELF 64-bit LSB .*x86-64' ;; arm64) echo 'ELF 64-bit LSB .*ARM aarch64' ;; armhf) echo 'ELF 32-bit LSB .*ARM, EABI5' ;; esac
}

# The highest symbol version a set of ELF files needs from one library (GLIBC, GLIBCXX).
max_symbol_version() { # prefix files...
  local prefix="$1"; shift
  readelf -V "$@" 2>/dev/null | grep -o "${prefix}_[0-9][0-9.]*" | sed "s/^${prefix}_//" | sort -uV | tail -1
}

# libstdc++'s symbol versions to the Debian package version that first has them.
libstdcxx_for() {
  case "$1" in
    3.4.2[0-5]|3.4.1*) echo 8 ;; 3.4.26) echo 9 ;; 3.4.27|3.4.28) echo 10 ;; 3.4.29) echo 11 ;; 3.4.30) echo 12 ;;
    *) die "libstdc++ symbol version GLIBCXX_$1: add it to libstdcxx_for" ;;
  esac
}

# The units' ExecStart and ExecStopPost, with the package's runtime instead of /usr/bin/node.
# The unit itself is installed unchanged; this drop-in follows it, whatever its flags.
node_drop_in() { # unit file
  local line
  echo "# Written by scripts/package.sh from $(basename "$1"): the package runs the agent on its own"
  echo "# Node runtime (/opt/firebreak/node), never on the system's /usr/bin/node."
  echo "[Service]"
  grep -E '^(ExecStart|ExecStopPost)=' "$1" | cut -d= -f1 | uniq | while read -r key; do echo "$key="; done
  while IFS= read -r line; do
    case "$line" in
      *\\) die "$1: a continued Exec line, which the drop-in cannot rewrite" ;;
      ExecStart=/usr/bin/node\ *|ExecStopPost=/usr/bin/node\ *) echo "${line/=\/usr\/bin\/node /=/opt/firebreak/node/bin/node }" ;;
      ExecStart=*|ExecStopPost=*) die "$1: '$line' does not start /usr/bin/node" ;;
    esac
  done <"$1"
}

toolchain() { # debian-arch -> "node-arch compiler-prefix"
  case "$1" in
    amd64) echo "x64 " ;;
    arm64) echo "arm64 aarch64-linux-gnu-" ;;
    armhf) echo "arm arm-linux-gnueabihf-" ;;
    *) die "unknown architecture $1 (amd64, arm64, armhf)" ;;
  esac
}

# npm ci --omit=dev for one architecture in out/build/<arch>, kept between runs: the addons'
# compile is most of a package's build time (about 12 minutes each for sqlite's amalgamation on
# a busy 2-core machine), and it is redone only when the lock file, the runtime or this recipe
# change.
install_modules() { # debian-arch node-dir
  local arch="$1" node_dir="$2" node_arch cc_prefix build stamp
  read -r node_arch cc_prefix <<<"$(toolchain "$arch") "
  build="$out/build/$arch"
  stamp="$(cat package-lock.json "$0" packaging/node-runtime.sh | sha256sum | cut -c1-16)"
  if [ -f "$build/stamp" ] && [ "$(cat "$build/stamp")" = "$stamp" ]; then
    log "$arch: node_modules from out/build/$arch (lock file, runtime and recipe unchanged)"
    return 0
  fi
  rm -rf "$build"; mkdir -p "$build"
  log "$arch: production node_modules, addons compiled for $node_arch against $(basename "$node_dir")"
  cp package.json package-lock.json "$build/"
  # build_from_source: no prebuilt download (sqlite3 would try GitHub, serialport would pick the
  # build machine's x64 prebuild); nodedir: the target runtime's own headers and config.gypi.
  ( cd "$build" && nice -n 15 env \
      npm_config_arch="$node_arch" npm_config_target_arch="$node_arch" npm_config_nodedir="$node_dir" \
      npm_config_build_from_source=true JOBS=2 \
      CC="${cc_prefix}gcc" CXX="${cc_prefix}g++" LINK="${cc_prefix}g++" AR="${cc_prefix}ar" \
      npm ci --omit=dev --no-audit --no-fund --loglevel=error ) >"$build/npm.log" 2>&1 \
    || { tail -30 "$build/npm.log" >&2; die "$arch: npm ci failed (log: $build/npm.log)"; }
  echo "$stamp" >"$build/stamp"
}

# What runs of an addon is build/Release/*.node; the compiler's intermediates, sqlite's sources
# and serialport's prebuilds for other platforms only take room on the card. Only packages with
# a binding.gyp: a plain package's build/ is its JavaScript (mqtt's is).
prune_addons() { # node_modules folder
  local gyp pkg
  find "$1" -name binding.gyp | while read -r gyp; do
    pkg="$(dirname "$gyp")"
    [ -d "$pkg/build" ] || continue
    find "$pkg/build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
    [ -d "$pkg/build/Release" ] && find "$pkg/build/Release" -mindepth 1 ! -name '*.node' -exec rm -rf {} +
  done
  rm -rf "$1/sqlite3/deps" "$1/sqlite3/src" "$1/@serialport/bindings-cpp/prebuilds"
}

build_one() { # debian-arch
  local arch="$1" node_dir stage deb glibc cxx bad
  command -v "$(toolchain "$arch" | cut -d' ' -f2)g++" >/dev/null || die "$(toolchain "$arch" | cut -d' ' -f2)g++ missing: apt-get install crossbuild-essential-$arch"
  node_dir="$(fetch_node "$arch")"
  stage="$out/stage/$arch"
  rm -rf "$stage"; mkdir -p "$stage"
  local opt="$stage/opt/firebreak"
  mkdir -p "$opt"
  cp -a "$out/build/$arch/node_modules" "$opt/"
  prune_addons "$opt/node_modules"

  log "$arch: check every native object is for $arch"
  bad=0
  while IFS= read -r f; do
    if ! file -b "$f" | grep -Eq "$(elf_pattern "$arch")"; then echo "  $f: $(file -b "$f")" >&2; bad=1; fi
  done < <(find "$opt/node_modules" -name '*.node'; echo "$node_dir/bin/node")
  [ "$bad" = 0 ] || die "$arch: native objects for another architecture (above)"
  [ "$(find "$opt/node_modules" -name '*.node' | wc -l)" -ge 3 ] || die "$arch: fewer native addons than sqlite3, epoll and the serialport bindings"

  mkdir -p "$opt/node/bin" "$stage/usr/bin" "$stage/lib/systemd/system/firebreak.service.d" \
    "$stage/usr/lib/systemd/system.conf.d" "$stage/usr/share/doc/firebreak" "$stage/DEBIAN" \
    "$stage/usr/share/bash-completion/completions"
  mkdir -p "$opt/dist" && cp -a dist/agent dist/drivers "$opt/dist/"
  find "$opt/dist" -name '*.map' -delete
  cp -a package.json package-lock.json README.md config schema docs systemd "$opt/"
  install -m 0755 "$node_dir/bin/node" "$opt/node/bin/node"
  install -m 0644 "$node_dir/LICENSE" "$opt/node/LICENSE"
  install -m 0755 packaging/firebreak "$stage/usr/bin/firebreak"
  install -m 0644 systemd/firebreak.service "$stage/lib/systemd/system/firebreak.service"
  node_drop_in systemd/firebreak.service >"$stage/lib/systemd/system/firebreak.service.d/package-node.conf"
  install -m 0644 systemd/system.conf.d/firebreak-watchdog.conf "$stage/usr/lib/systemd/system.conf.d/"
  install -m 0644 packaging/copyright "$stage/usr/share/doc/firebreak/copyright"
  install -m 0644 scripts/firebreak-completion.bash "$stage/usr/share/bash-completion/completions/firebreak"
  for s in postinst prerm postrm; do install -m 0755 "packaging/debian/$s" "$stage/DEBIAN/$s"; done

  glibc="$(max_symbol_version GLIBC "$node_dir/bin/node" $(find "$opt/node_modules" -name '*.node'))"
  cxx="$(libstdcxx_for "$(max_symbol_version GLIBCXX "$node_dir/bin/node" $(find "$opt/node_modules" -name '*.node'))")"
  # armv7l's Node links libatomic (64-bit atomics on a 32-bit CPU); a minimal Debian root lacks it
  extra=""
  if readelf -d "$node_dir/bin/node" $(find "$opt/node_modules" -name '*.node') 2>/dev/null | grep -q 'NEEDED.*\[libatomic\.so\.1\]'; then extra=", libatomic1"; fi
  sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@GLIBC@/$glibc/" -e "s/@LIBSTDCXX@/$cxx/" -e "s/@EXTRA_DEPENDS@/$extra/" \
    -e "s/@SIZE@/$(du -sk --exclude=DEBIAN "$stage" | cut -f1)/" packaging/debian/control.in >"$stage/DEBIAN/control"
  ( cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum ) >"$stage/DEBIAN/md5sums"
  find "$stage" -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

  mkdir -p "$out/packages"
  deb="$out/packages/firebreak_${version}_${arch}.deb"
  nice -n 15 dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
  log "$arch: $deb ($(du -k "$deb" | cut -f1) KiB, $(du -sk "$stage" | cut -f1) KiB installed; needs libc6 >= $glibc, libstdc++6 >= $cxx)"
}

IFS=, read -r -a list <<<"$arches"
for a in "${list[@]}"; do toolchain "$a" >/dev/null; fetch_node "$a" >/dev/null; done
# The architectures' compiles are independent and mostly single-threaded (one large C file):
# side by side they take about the time of the longest.
pids=()
for a in "${list[@]}"; do install_modules "$a" "$(fetch_node "$a")" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || die "node_modules failed (above)"; done
for a in "${list[@]}"; do build_one "$a"; done
