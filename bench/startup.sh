#!/usr/bin/env bash
# Issue 19 benchmark: start-up of `vdetach --version` and `vdetach ls` of the FAT16 corpus image,
# wall and CPU time (hyperfine, 3 warm-up runs, RUNS measured runs each), for:
#   before       the launcher as it was at $BEFORE_REV (./vdetach + scripts/java-home of then)
#   java         the java command that launcher ran, alone (no bash, no version probe)
#   launcher     ./vdetach now (JDK version from its release file, AOT cache in target/)
#   package      bin/vdetach of the unpacked tarball (jlink'd runtime, AOT cache of the build)
#   package-noaot  the same with JDK_JAVA_OPTIONS=-XX:AOTMode=off
# Usage: bench/startup.sh [RUNS]   (needs target/ built by `mvn package`; installs hyperfine)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-30}
BEFORE_REV=${BEFORE_REV:-090f220}
IMG=${IMG:-$REPO/../shared/testdata/rust-fatfs/fat16.img}
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >/dev/null
cd "$REPO"
source scripts/java-home
tarball=$(ls target/vdetach-*-linux-x64.tar.gz)
[ -f target/vdetach.jar ] && [ -f "$tarball" ] || { echo "run mvn package first" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# the old launcher, in a tree that shares this checkout's target/ and sources
mkdir -p "$work/before/scripts"
git show "$BEFORE_REV:vdetach" >"$work/before/vdetach"
git show "$BEFORE_REV:scripts/java-home" >"$work/before/scripts/java-home"
chmod +x "$work/before/vdetach"
ln -s "$REPO/target" "$REPO/src" "$REPO/pom.xml" "$work/before/"
touch -h -d @0 "$work/before/target" "$work/before/src" "$work/before/pom.xml" # its find -newer sees the links
tar -C "$work" -xzf "$tarball"
pkg=$(echo "$work"/vdetach-*-linux-x64)
./vdetach --version >/dev/null # makes the launcher's AOT cache if it is stale

java_cmd="$JAVA_HOME/bin/java --enable-native-access=io.vdetach -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss8m \
-p target/vdetach.jar:target/lib -m io.vdetach/io.vdetach.cli.Main"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
for args in "--version" "ls $IMG"; do
  hyperfine -N -w 3 -r "$RUNS" --export-json "$work/r.json" \
    -n before "$work/before/vdetach $args" \
    -n java "$java_cmd $args" \
    -n launcher "./vdetach $args" \
    -n package "$pkg/bin/vdetach $args" \
    -n package-noaot "env JDK_JAVA_OPTIONS=-XX:AOTMode=off $pkg/bin/vdetach $args" >"$work/hyperfine.log" 2>&1 || { cat "$work/hyperfine.log" >&2; exit 1; }
  echo "== vdetach $args"
  jq -r '.results[] | "\(.command)\t\(.median*1000|round) ms median\t\(.mean*1000|round) ms mean\t\(.min*1000|round) ms min\t\((.user+.system)*1000|round) ms CPU"' \
    "$work/r.json" | column -t -s $'\t'
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
