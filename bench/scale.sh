#!/usr/bin/env bash
# Issue 19 scale benchmark: a guest of N entries (default 1,000,000; bench/scale-tree.py: ~N/1000
# directories of varied sizes, files mostly empty or 1-300 bytes, 1 % hard links, 1 % symlinks) in
# a raw GPT disk, built once and cached under $CACHE: ext4 (mkfs.ext4, loop-mounted) or NTFS
# (--fs ntfs: mkntfs, mounted by ntfs-3g), the tree written into the mount by scale-tree.py. Each
# command runs under /usr/bin/time -v with caches dropped before it; the table gives wall time,
# peak RSS and time per entry; clone-floor.c runs in the same run at the same file count and mean
# size.
#   usage: sudo bench/scale.sh [N] [--fs ext4|ntfs] [--clean] [--only "ls plan extract verify copy streaming floor"]
#     (also in --only, not run by default: "evidence", detach --streaming with --manifest and three
#     hashes, its peak live heap from a class histogram every 2 s)
#     --clean   remove the cached guests ($CACHE) and exit; --only build: build the guest and exit
#   env: CACHE (default /var/tmp/vdetach-scale, with --fs ntfs /var/tmp/vdetach-scale-ntfs),
#        JAVA_OPTS_EXTRA (extra JVM options, e.g. -Xlog:gc:file=...), HISTO=1 (a heap class
#        histogram of extract, 60 % of the way through)
N=1000000; ONLY="ls plan extract verify copy streaming floor"; FS=ext4; CLEAN=""
while (($#)); do
  case $1 in
    --clean) CLEAN=1 ;;
    --only) ONLY=$2; shift ;;
    --fs) FS=$2; shift ;;
    *) N=$1 ;;
  esac
  shift
done
case $FS in
  ext4) CACHE=${CACHE:-/var/tmp/vdetach-scale} ;;
  ntfs) CACHE=${CACHE:-/var/tmp/vdetach-scale-ntfs} ;;
  *) echo "scale.sh: --fs ext4 or ntfs, not $FS" >&2; exit 2 ;;
esac
if [ -n "$CLEAN" ]; then rm -rf "$CACHE"; echo "removed $CACHE"; exit 0; fi
SCRATCH=${SCRATCH:-$CACHE/run}
source "$(dirname "$0")/lib.sh"
want() { [[ " $ONLY " == *" $1 "* ]]; }
mkdir -p "$CACHE"; rm -rf "$SCRATCH"; mkdir -p "$SCRATCH"
tree_gen() { # DIR HOW: the tree written under DIR, its counts (shell assignments) in $stats.new
  local t0 t1; t0=$(now); python3 "$(dirname "$0")/scale-tree.py" "$1" "$N" 19 > "$stats.new"; settle; t1=$(now)
  echo "tree: $(cat "$stats.new") in $(secs "$t0" "$t1") s ($2)"
}
# ext4, made by the kernel: a loop-mounted ext4 that scale-tree.py writes into (1 M entries in about a
# minute; `mke2fs -d` of the same tree took 12 min), sized before the tree is drawn: 60 % of the
# files hold data (one 4 KiB block each, 5 % up to four), an inode per entry and directory
build_ext4() {
  local fs=$CACHE/fs.ext4 build=$CACHE/build inodes fs_mib
  inodes=$(( N + N / 20 + 20000 ))
  fs_mib=$(( N * 3 * 4096 / 4 / 1048576 + inodes * 256 / 1048576 + 1024 ))
  truncate -s "${fs_mib}M" "$fs"
  mkfs.ext4 -q -F -b 4096 -I 256 -N "$inodes" -E lazy_itable_init=1 "$fs"
  attach "$fs"; mount_at "$ATTACHED" "$build" -o noinit_itable
  tree_gen "$build" "written by the kernel into a loop-mounted ext4"
  umount "$build"; unset 'MOUNTS[-1]'; losetup -d "$ATTACHED"; unset 'LOOPS[-1]'
  e2fsck -fn "$fs" >/dev/null || { echo "e2fsck -fn of the built guest failed" >&2; exit 1; }
  gpt_disk "$fs" "$img.new" 8300
  rm -f "$fs"
}
# NTFS: a 1 KiB MFT record per entry, 4 KiB index blocks, files above ~700 bytes in clusters
# (measured: 183 MB allocated at 100,000 entries); the volume is sparse, sized with room to spare.
build_ntfs() {
  local fs=$CACHE/fs.ntfs mnt=$SCRATCH/build t0 t1
  truncate -s $(( N * 4096 + (512 << 20) )) "$fs"
  mkntfs -F -Q -q -c 4096 -L scale "$fs" 2>/dev/null
  ntfs3g_mount "$fs" "$mnt" big_writes
  t0=$(now); tree_gen "$mnt" "written by ntfs-3g"; ntfs3g_umount "$mnt"; t1=$(now)
  echo "ntfs-3g (scale-tree.py into the mount, then its umount): $(secs "$t0" "$t1") s"
  gpt_disk "$fs" "$img.new" 0700
  rm -f "$fs"
}

img=$CACHE/$FS-$N.img; stats=$CACHE/$FS-$N.stats
if [ ! -f "$img" ] || [ ! -f "$stats" ]; then
  echo "== building the $FS guest of $N entries (cached in $img)"
  rm -f "$img.new"; "build_$FS"
  mv "$img.new" "$img"; mv "$stats.new" "$stats"
fi
source "$stats"
echo "guest: $(cat "$stats"); image $(du -B1 "$img" | cut -f1) bytes allocated"
[ "$ONLY" != build ] || exit 0
( cd "$REPO" && ./vdetach --version >/dev/null )
img_alloc=$(du -B1 "$img" | cut -f1)

# the share host: XFS with reflink, the image copied onto it (FICLONERANGE needs one filesystem)
host_xfs=$SCRATCH/host.xfs
truncate -s $(( (img_alloc * 2 + ENTRIES * 4096 * 3) / 1048576 + 4096 ))M "$host_xfs"
mkfs.xfs -q -f -m reflink=1 -i maxpct=50 "$host_xfs"
attach "$host_xfs"; xfsdev=$ATTACHED; X=$SCRATCH/xfs; mount_at "$xfsdev" "$X"
cp --sparse=always "$img" "$X/disk.img"
# the copy host: ext4 with inodes for two trees
host_ext4=$SCRATCH/host.ext4
truncate -s $(( (img_alloc * 2 + ENTRIES * 4096 * 3) / 1048576 + 4096 ))M "$host_ext4"
mkfs.ext4 -q -F -N $(( ENTRIES * 3 + DIRS * 4 + 100000 )) "$host_ext4"
attach "$host_ext4"; ext4dev=$ATTACHED; E=$SCRATCH/ext4; mount_at "$ext4dev" "$E"

export JAVA_TOOL_OPTIONS="${JAVA_OPTS_EXTRA:-}"
[ -n "$JAVA_TOOL_OPTIONS" ] || unset JAVA_TOOL_OPTIONS
echo; echo "| command | wall | peak RSS | per entry | notes |"; echo "|---|---|---|---|---|"
timed() { # NAME NOTES COMMAND...: caches dropped, /usr/bin/time -v; stdout of COMMAND to $SCRATCH/NAME.out
  local name=$1 notes=$2; shift 2
  drop_caches
  /usr/bin/time -v -o "$SCRATCH/$name.time" "$@" > "$SCRATCH/$name.out" 2> "$SCRATCH/$name.err" \
    || { echo "$name failed (exit $?):" >&2; tail -5 "$SCRATCH/$name.err" >&2; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s}' "$SCRATCH/$name.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%d", $2 / 1024}' "$SCRATCH/$name.time")
  LAST_WALL=$wall
  printf '| %s | %s s | %s MiB | %s µs | %s |\n' "$name" "$wall" "$rss" \
    "$(echo "$wall * 1000000 / $ENTRIES" | bc -l | xargs printf '%.1f')" "$notes"
}
vd=$REPO/vdetach
histogram() { # while extract runs: heap use every 10 s, one class histogram (live objects) at 60 % of the entries
  local dest=$1 goal=$(( ENTRIES * 6 / 10 )) done="" pid=""
  : > "$SCRATCH/heap.txt"
  # dropping the caches before the run can take longer than a sampling period: wait for the JVM
  while [ -z "$pid" ]; do sleep 1; pid=$(pgrep -f "io.vdetach.cli.Main extract" | head -1 || true); done
  while sleep 10; do
    kill -0 "$pid" 2>/dev/null || return 0
    { echo "== $(date +%T) RSS $(awk '/VmRSS/ {print $2, $3}' "/proc/$pid/status")"
      "$JAVA_HOME/bin/jcmd" "$pid" GC.heap_info | grep -E 'generation|space'
      "$JAVA_HOME/bin/jstat" -gcutil "$pid"; } >> "$SCRATCH/heap.txt" 2>&1
    [ -z "$done" ] || continue
    [ "$(find "$dest" -xdev 2>/dev/null | head -n "$goal" | wc -l)" -ge "$goal" ] || continue
    "$JAVA_HOME/bin/jcmd" "$pid" GC.class_histogram > "$SCRATCH/histogram.txt" 2>&1; done=1
  done
}

want ls && timed "ls" "listing to a file" "$vd" ls "$X/disk.img"
want plan && timed "plan" "" "$vd" plan --json "$X/disk.img" "$X/out"
if want extract; then
  if [ -n "${HISTO:-}" ]; then source "$REPO/scripts/java-home"; histogram "$X/out" & hp=$!; fi
  timed "extract (share, XFS)" "" "$vd" extract --no-progress --json "$X/disk.img" "$X/out"
  [ -z "${hp:-}" ] || { wait "$hp" || true; echo "histogram: $SCRATCH/histogram.txt, heap: $SCRATCH/heap.txt"; }
  # the property check (issue 19 item 4): every hard link group and symlink arrived
  links=$(find "$X/out" -type f -links +1 | wc -l); syms=$(find "$X/out" -type l | wc -l)
  regular=$(find "$X/out" -type f | wc -l)
  echo "| check | | | | regular $regular (guest $((FILES + HARDLINKS))), with links > 1: $links, symlinks $syms (guest $SYMLINKS) |"
fi
want verify && want extract && timed "verify" "against the share output" "$vd" verify --json "$X/disk.img" "$X/out"
# Outputs are not removed between runs (rm -rf of a million files costs minutes here): each run
# writes a directory of its own and the hosts are sized for all of them.
if want copy; then
  timed "extract --mode copy (ext4)" "" "$vd" extract --mode copy --no-progress --json "$X/disk.img" "$E/out"
fi
if want streaming; then
  cp --sparse=always "$img" "$E/disk.img"
  timed "detach --streaming (ext4)" "" "$vd" detach --streaming --no-progress --json "$E/disk.img" "$E/out-streaming"
fi
if want evidence; then
  peak_live() { # NAME: the largest live heap of the running detach, from class histograms (each a full GC)
    local pid="" best=0 t
    while [ -z "$pid" ]; do sleep 0.5; pid=$(pgrep -f "io.vdetach.cli.Main detach" | head -1 || true); done
    while kill -0 "$pid" 2>/dev/null; do
      t=$("$JAVA_HOME/bin/jcmd" "$pid" GC.class_histogram 2>/dev/null | tee "$SCRATCH/$1.h" | awk '/^Total/ {print $3}') || true
      if [ -n "$t" ] && [ "$t" -gt "$best" ]; then best=$t; cp "$SCRATCH/$1.h" "$SCRATCH/$1.histogram"; fi
      sleep 2
    done
    echo "| $1: peak live heap | $((best / 1048576)) MiB | | $((best / ENTRIES)) B | histogram: $SCRATCH/$1.histogram |"
  }
  source "$REPO/scripts/java-home"
  cp --sparse=always "$img" "$E/disk-evidence.img"
  peak_live "detach --streaming --manifest" > "$SCRATCH/peak.txt" & pp=$!
  timed "detach --streaming --manifest (ext4)" "--hash md5,sha1,sha256" "$vd" detach --streaming --no-progress --json \
    --manifest "$E/manifest.jsonl" --hash md5,sha1,sha256 "$E/disk-evidence.img" "$E/out-evidence"
  wait "$pp" || true; cat "$SCRATCH/peak.txt"
fi
if want floor; then
  floor_src=$REPO/../shared/bench/clone-floor.c
  cc -O2 -o "$SCRATCH/clone-floor" "$floor_src"
  mean=$(( DATA_BYTES / FILES )); mkdir -p "$X/floor"
  timed "clone-floor.c" "$FILES files of the mean size $mean B, same XFS" \
    "$SCRATCH/clone-floor" "$X/disk.img" "$X/floor" "$FILES" "$mean" write
  echo "clone-floor says: $(cat "$SCRATCH/clone-floor.c.out")"
fi
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; kernel $(uname -r); $("$vd" --version)"
