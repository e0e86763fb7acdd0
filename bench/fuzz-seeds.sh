#!/usr/bin/env bash
# Makes the starting seeds of the fuzz targets (io.vdetach.fuzz.*FuzzTest) with the real tools:
# qemu-img/qemu-io images, sfdisk/sgdisk disks, an lvm2 physical volume, wimlib's XPRESS and LZX
# chunks, zstd frames, raw deflate. Writes them as seed-* files into each target's inputs directory
# (src/test/resources/io/vdetach/fuzz/<Class>Inputs/<method>/), where regression mode replays them
# and fuzzing starts from them. Run as root (the LVM volume needs a loop device), after
# `mvn test-compile` (the sparse-file encoder is a test class). The campaign minimises the result
# (FUZZ_MERGE=1 bench/fuzz.sh TARGET).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home
REPO=$PWD
IN=$REPO/src/test/resources/io/vdetach/fuzz
work=$(mktemp -d)
loops=()
cleanup() {
  for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

seeds() { mkdir -p "$IN/$1Inputs/$2"; echo "$IN/$1Inputs/$2"; }
sparse() { # CLASS METHOD NAME FILE: the file as a SparseFile input
  "$JAVA_HOME/bin/java" -cp "$REPO/target/test-classes" io.vdetach.fuzz.SparseFile "$4" "$(seeds "$1" "$2")/seed-$3"
}
raw() { cp "$4" "$(seeds "$1" "$2")/seed-$3"; } # CLASS METHOD NAME FILE: as it is
bytes() { printf "$4" > "$(seeds "$1" "$2")/seed-$3"; } # CLASS METHOD NAME PRINTF-BYTES
io() { qemu-io -f "$1" "${@:3}" "$2" >/dev/null; }
text() { { yes "$1 line of text 0123456789" || true; } | head -c "$2"; }

# the parent every differencing seed names: the same bytes as FuzzFiles writes into its directory
python3 -c "
import sys
sys.stdout.buffer.write(bytes((i * 31 + (i >> 9)) & 0xff for i in range(1 << 20)))" > parent.raw

# ---- qcow2
qemu-img create -q -f qcow2 -o cluster_size=512 small.qcow2 4M
io qcow2 small.qcow2 -c 'write -P 0xab 0 8k' -c 'write -P 0xcd 1M 512' -c 'write -z 2M 4k'
sparse Qcow2FuzzTest qcow2 small small.qcow2
qemu-img create -q -f qcow2 -o cluster_size=4k,compat=0.10 v2.qcow2 4M
io qcow2 v2.qcow2 -c 'write -P 0x11 0 16k' -c 'write -c -P 0x22 64k 4k'
qemu-img snapshot -c first v2.qcow2
io qcow2 v2.qcow2 -c 'write -P 0x33 0 4k'
sparse Qcow2FuzzTest qcow2 v2-snapshot v2.qcow2
qemu-img create -q -f qcow2 -o cluster_size=16k,extended_l2=on ext.qcow2 4M
io qcow2 ext.qcow2 -c 'write -P 0x44 0 2k' -c 'write -P 0x55 20k 1k' -c 'write -z 40k 2k'
sparse Qcow2FuzzTest qcow2 extended-l2 ext.qcow2
for c in zlib zstd; do
  qemu-img create -q -f raw r.raw 1M; io raw r.raw -c 'write -P 0x61 0 8k' -c 'write -P 0x62 512k 4k'
  text cluster 4096 | dd of=r.raw bs=4k seek=10 conv=notrunc status=none
  qemu-img convert -c -O qcow2 -o cluster_size=4k,compression_type=$c r.raw c.qcow2
  sparse Qcow2FuzzTest qcow2 compressed-$c c.qcow2
done
qemu-img create -q -f qcow2 -o cluster_size=4k -b parent.raw -F raw child.qcow2
io qcow2 child.qcow2 -c 'write -P 0x77 4k 4k'
sparse Qcow2FuzzTest qcow2 backing child.qcow2

# ---- VHD, VHDX, VDI
qemu-img create -q -f vpc -o subformat=dynamic d.vhd 4M
io vpc d.vhd -c 'write -P 0x11 0 8k' -c 'write -P 0x12 3M 4k'
sparse VhdFuzzTest vhd dynamic d.vhd
qemu-img create -q -f vpc -o subformat=fixed f.vhd 1M
io vpc f.vhd -c 'write -P 0x13 0 4k'
sparse VhdFuzzTest vhd fixed f.vhd
qemu-img create -q -f vhdx -o block_size=1M,log_size=1M d.vhdx 8M
io vhdx d.vhdx -c 'write -P 0x21 0 8k' -c 'write -P 0x22 5M 4k'
sparse VhdxFuzzTest vhdx dynamic d.vhdx
qemu-img create -q -f vhdx -o subformat=fixed,block_size=1M,log_size=1M f.vhdx 2M
sparse VhdxFuzzTest vhdx fixed f.vhdx
qemu-img create -q -f vdi d.vdi 4M
io vdi d.vdi -c 'write -P 0x31 0 8k' -c 'write -P 0x32 3M 4k'
sparse VdiFuzzTest vdi dynamic d.vdi
qemu-img create -q -f vdi -o static=on s.vdi 1M
sparse VdiFuzzTest vdi static s.vdi

# ---- VMDK
qemu-img create -q -f vmdk -o subformat=monolithicSparse s.vmdk 4M
io vmdk s.vmdk -c 'write -P 0x41 0 8k' -c 'write -P 0x42 3M 4k'
sparse VmdkFuzzTest sparse monolithic s.vmdk
qemu-img create -q -f raw r.raw 2M; io raw r.raw -c 'write -P 0x51 0 64k' -c 'write -P 0x52 1M 8k'
qemu-img convert -O vmdk -o subformat=streamOptimized r.raw so.vmdk
sparse VmdkFuzzTest streamOptimized qemu so.vmdk
d=$(seeds VmdkFuzzTest descriptor)
cat > "$d/seed-extents" <<'T'
# Disk DescriptorFile
version=1
CID=12345678
parentCID=ffffffff
createType="twoGbMaxExtentSparse"

# Extent description
RW 512 FLAT "flat.bin" 0
RW 2048 SPARSE "sparse-s001.vmdk"
RW 2048 SPARSE "stream.vmdk"
RW 100 ZERO
RDONLY 64 FLAT "flat.bin" 8

# The Disk Data Base
#DDB

ddb.virtualHWVersion = "4"
ddb.geometry.cylinders = "4"
ddb.geometry.heads = "16"
ddb.geometry.sectors = "63"
ddb.adapterType = "ide"
T
cat > "$d/seed-vmfs" <<'T'
# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=fffffffe
parentCID=ffffffff
isNativeSnapshot="no"
createType="vmfs"

# Extent description
RW 512 VMFS "flat.bin"

# The Disk Data Base
#DDB

ddb.adapterType = "lsilogic"
ddb.uuid = "60 00 C2 9b 5a 1c 2e 0d-d0 27 1f 43 c9 6c 1d 52"
T
cat > "$d/seed-child" <<'T'
# Disk DescriptorFile
version=1
CID=9abcdef0
parentCID=12345678
createType="monolithicSparse"
parentFileNameHint="stream.vmdk"

# Extent description
RW 2048 SPARSE "sparse-s001.vmdk"
T

# ---- partitions and LVM
truncate -s 8M mbr.img
printf 'label: dos\n2048,4096,83\n6144,,5\n8192,2048,83\n12288,,7\n' | sfdisk -q mbr.img
sparse VolumeFuzzTest partitions mbr-logical mbr.img
truncate -s 8M gpt.img
sgdisk -n 1:2048:+2M -t 1:8300 -c 1:root -n 2:0:+1M -t 2:0700 -c 2:data -n 3:0:0 -t 3:8e00 gpt.img >/dev/null
sparse VolumeFuzzTest partitions gpt gpt.img
sgdisk -h 1:2 gpt.img >/dev/null
sparse VolumeFuzzTest partitions gpt-hybrid gpt.img
lvmetc="$work/lvm-etc"; mkdir -p "$lvmetc"
truncate -s 16M pv.img
sfdisk -q pv.img <<< $'label: dos\n2048,12288,8e\n'
loop=$(losetup --find --show --offset $((2048 * 512)) --sizelimit $((12288 * 512)) pv.img); loops+=("$loop")
cat > "$lvmetc/lvm.conf" <<C
devices { filter=["a|^$loop\$|","r|.*|"] global_filter=["a|^$loop\$|","r|.*|"] obtain_device_list_from_udev=0 use_devicesfile=0 hints="none" }
global { locking_dir="$lvmetc/lock" }
activation { udev_sync=0 udev_rules=0 monitoring=0 }
backup { backup=0 archive=0 }
C
lvm() { env LVM_SYSTEM_DIR="$lvmetc" LVM_SUPPRESS_FD_WARNINGS=1 lvm "$@" >/dev/null; }
noact=(--driverloaded n -an -Zn -Wn)
lvm pvcreate -ff -y "$loop"
lvm vgcreate -s 1M vg0 "$loop"
lvm lvcreate -L 2M -n lva vg0 "${noact[@]}"
lvm lvcreate -L 1M -n lvb vg0 "${noact[@]}"
lvm lvextend --driverloaded n -L 3M vg0/lvb
losetup -d "$loop"; loops=()
printf 'LVM volume lva' | dd of=pv.img bs=1 seek=$((4 << 20)) conv=notrunc status=none
sparse VolumeFuzzTest lvm pv-in-mbr pv.img
# the metadata text alone, for lvmText: naming LvmDisk's PV uuid, extents inside its 4 MiB
python3 - pv.img "$(seeds VolumeFuzzTest lvmText)/seed-lvm2" <<'PY'
import re, struct, sys
d = open(sys.argv[1], 'rb').read()
base = 2048 * 512
label = next(base + s * 512 for s in range(4) if d[base + s * 512: base + s * 512 + 8] == b'LABELONE')
pv = label + struct.unpack_from('<I', d, label + 20)[0]
uuid = d[pv:pv + 32].decode()
mda = base + struct.unpack_from('<Q', d, pv + 72)[0]
off, size = struct.unpack_from('<QQ', d, mda + 40)
text = d[mda + off: mda + off + size].rstrip(b'\0').decode()
dashed = '-'.join([uuid[0:6], uuid[6:10], uuid[10:14], uuid[14:18], uuid[18:22], uuid[22:26], uuid[26:32]])
u = 'fuzzPVuuid0123456789abcdefghijkl'
text = text.replace(dashed, '-'.join([u[0:6], u[6:10], u[10:14], u[14:18], u[18:22], u[22:26], u[26:32]]))
text = re.sub(r'pe_start = \d+', 'pe_start = 2048', text)
open(sys.argv[2], 'w').write(text)
# an old-style snapshot (lvcreate -s needs device-mapper): lva's copy-on-write store named by a hidden LV
snap = text.replace('logical_volumes {\n', 'logical_volumes {\n\nsnapshot0 {\nid = "snapshot0-id"\nstatus = ["READ"]\n'
    'flags = []\nsegment_count = 1\n\nsegment1 {\nstart_extent = 0\nextent_count = 1\n\ntype = "snapshot"\n'
    'chunk_size = 8\norigin = "lva"\ncow_store = "lvb"\n}\n}\n', 1)
open(sys.argv[2] + '-snapshot', 'w').write(snap)
PY

# ---- filesystems: one byte per base (bit 3: the option), no patches
for t in Ext:ext:5 Fat:fat:4 Exfat:exfat:2 Xfs:xfs:2 Ntfs:volume:3; do
  IFS=: read c m n <<< "$t"
  for ((i = 0; i < n; i++)); do
    bytes ${c}FuzzTest $m base$i "\\x$(printf %02x $i)"
    bytes ${c}FuzzTest $m base$i-option "\\x$(printf %02x $((i + 8)))"
  done
done
zcat "$IN/bases/ntfs.img.gz" > ntfs.img
python3 - ntfs.img "$(seeds NtfsFuzzTest mftRecord)" "$(seeds NtfsFuzzTest bootSector)" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
bps = struct.unpack_from('<H', d, 0x0b)[0]; cluster = bps * d[0x0d]
mft = struct.unpack_from('<Q', d, 0x30)[0] * cluster
v = struct.unpack_from('<b', d, 0x40)[0]; rs = v * cluster if v > 0 else 1 << -v
for n in range(64):
    r = bytearray(d[mft + n * rs: mft + (n + 1) * rs])
    if r[:4] != b'FILE': continue
    usa, count = struct.unpack_from('<HH', r, 4)
    for i in range(count - 1):  # undo the update sequence: the parser's view
        r[(i + 1) * 512 - 2:(i + 1) * 512] = r[usa + 2 + 2 * i: usa + 4 + 2 * i]
    open('%s/seed-record-%d' % (sys.argv[2], n), 'wb').write(bytes([n]) + bytes(r))
open(sys.argv[3] + '/seed-generated', 'wb').write(bytes(d[:512]))
PY
c="$REPO/../shared/testdata/ColinFinck-ntfs/testfs1"
[ -f "$c" ] && head -c 512 "$c" > "$(seeds NtfsFuzzTest bootSector)/seed-testfs1"

# ---- decoders
mkdir wofsrc; text xpress 4096 > wofsrc/a
for k in XPRESS:4096:xpressHuffman LZX:32768:lzx; do
  IFS=: read alg chunk method <<< "$k"
  text "$method" "$chunk" > wofsrc/a
  wimcapture wofsrc "$method.wim" --compress=$alg --chunk-size=$chunk >/dev/null
  python3 - "$method.wim" "$chunk" "$(seeds DecoderFuzzTest "$method")/seed-wimlib" <<'PY'
import re, struct, subprocess, sys
info = subprocess.run(['wiminfo', '--blobs', sys.argv[1]], capture_output=True, text=True).stdout
chunk = int(sys.argv[2])
for m in re.finditer(r'Uncompressed size = (\d+) bytes\s+Compressed size\s+= (\d+) bytes\s+Offset in WIM\s+= (\d+) bytes', info):
    if int(m.group(1)) == chunk:
        with open(sys.argv[1], 'rb') as f:
            f.seek(int(m.group(3))); data = f.read(int(m.group(2)))
        # the output size (little-endian, minus one) the target reads first, then the one chunk
        open(sys.argv[3], 'wb').write(struct.pack('<H', (chunk - 1) & 0xffff) + data)
PY
done
# LZNT1: a stored chunk then a compressed one ("abc" and a 6-byte back reference), MS-XCA 2.5
python3 - "$(seeds DecoderFuzzTest lznt1)/seed-chunks" <<'PY'
import sys
src = bytearray([0x0f, 0xff, 0x3f]) + bytes(i & 0xff for i in range(4096))
token = ((3 - 1) << 12) | (6 - 3)
src += bytes([5, 0xb0, 0x08]) + b'abc' + bytes([token & 0xff, token >> 8])
open(sys.argv[1], 'wb').write(src)
PY
text zstd 65536 > z.txt
for l in 1 19; do
  zstd -q -$l -c z.txt > z.$l
  { printf '\xff\xff\x00'; cat z.$l; } > "$(seeds DecoderFuzzTest zstd)/seed-level$l"       # 65,536 bytes out
  { printf '\x87'; cat z.$l; } > "$(seeds DecoderFuzzTest compressedCluster)/seed-zstd$l"   # zstd, 64 KiB cluster
done
python3 - "$(seeds DecoderFuzzTest compressedCluster)/seed-deflate" <<'PY'
import sys, zlib
c = zlib.compressobj(9, zlib.DEFLATED, -12)      # QEMU's raw deflate, 4 KiB window
data = (b'deflate cluster line of text 0123456789\n' * 200)[:4096]
open(sys.argv[1], 'wb').write(bytes([3]) + c.compress(data) + c.flush())   # deflate, 4 KiB cluster
PY
ls -R "$IN" | grep -c seed- | sed 's/^/seeds: /'
