#!/usr/bin/env bash
# Seeds of the fuzz targets added with main's EWF (one segment and sets), VMDK SESparse, OVA, BitLocker and VSS readers (bench/fuzz-seeds.sh
# makes the others): E01 files made by ewfacquire (stored and deflated chunks, a small chunk size)
# and dfvfs's ext2.E01; OVAs made by tar of an .ovf and qemu-img VMDKs; cryptsetup's BITLK images and dfvfs's vsstest volume reduced to the sectors
# the parser reads as metadata (io.vdetach.fuzz.MetadataSeed). Needs `mvn test-compile` first and
# ../shared/testdata beside the checkout; writes seed-* files into each target's inputs directory.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home
REPO=$PWD
IN=$REPO/src/test/resources/io/vdetach/fuzz
CORPUS=$REPO/../shared/testdata
CP=$REPO/target/classes:$REPO/target/test-classes
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
seeds() { mkdir -p "$IN/$1Inputs/$2"; echo "$IN/$1Inputs/$2"; }
sparse() { "$JAVA_HOME/bin/java" -cp "$CP" io.vdetach.fuzz.SparseFile "$4" "$(seeds "$1" "$2")/seed-$3"; }
metadata() { "$JAVA_HOME/bin/java" -cp "$CP" io.vdetach.fuzz.MetadataSeed "$3" "$4" "$(seeds "$1" "$2")/seed-$5"; }

# ---- EWF: a 1 MiB disk with a few patterns and text, acquired stored and deflated
python3 -c "
import sys
d = bytearray(1 << 20)
d[0:4096] = bytes((i * 7) & 0xff for i in range(4096))
d[510:512] = b'\x55\xaa'
t = b'ewf fuzz seed line of text 0123456789\n' * 200
d[0x40000:0x40000 + len(t)] = t
sys.stdout.buffer.write(bytes(d))" > disk.raw
acquire() { ewfacquire -u -q -t "$1" -c "$2" -b "$3" -d sha1 -C case-7 -E ev-1 -D disk -e examiner -N notes disk.raw >/dev/null; }
acquire stored none 64;          sparse EwfFuzzTest ewf stored stored.E01
acquire deflated deflate:best 16; sparse EwfFuzzTest ewf deflated deflated.E01
sparse EwfFuzzTest ewf dfvfs-ext2 "$CORPUS/dfvfs/ext2.E01"

# ---- EWF sets of several segments (ewfacquire's smallest segment size, 1 MiB) of a 3 MiB disk
python3 -c "
import sys
d = bytearray(3 << 20)
for at in range(0, 3 << 20, 256 << 10): d[at:at + 4096] = bytes(((i * 13) ^ (at >> 12)) & 0xff for i in range(4096))
sys.stdout.buffer.write(bytes(d))" > set.raw
# stored chunks (deflated ones of this disk fit in one segment): four segments
ewfacquire -u -q -t set -c none -b 64 -S 1MiB -d sha1 -C case-8 -E ev-2 -D set -e examiner -N notes set.raw >/dev/null
"$JAVA_HOME/bin/java" -cp "$CP" io.vdetach.fuzz.FileSet "$(seeds EwfFuzzTest segments)/seed-none" set.E0*

# ---- VMDK SESparse: the corpus extent (dissect.hypervisor) with all but its first 8 grains unallocated
# (grain table entries zero) and the file cut after them, so the seed is its metadata and 32 KiB of grains
python3 -c "
import struct, sys
f = bytearray(open(sys.argv[1], 'rb').read())
gt = struct.unpack_from('<Q', f, 144)[0] * 512
grains = struct.unpack_from('<Q', f, 192)[0] * 512
for i in range(8, 4096): struct.pack_into('<Q', f, gt + 8 * i, 0x1000000000000000 if i < 16 else 0)
sys.stdout.buffer.write(bytes(f[:grains + 8 * 4096]))" "$CORPUS/dissect.hypervisor/sesparse.vmdk" > se.vmdk
sparse VmdkFuzzTest seSparse dissect-8-grains se.vmdk

# ---- OVA: an .ovf and a qemu-img VMDK (streamOptimized, monolithicSparse) in ustar, pax and GNU tar
qemu-img create -q -f raw o.raw 2M; qemu-io -f raw -c 'write -P 0x71 0 8k' -c 'write -P 0x72 1M 4k' o.raw >/dev/null
ovf() {
  printf '<?xml version="1.0"?>\n<Envelope xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">\n<References>\n'
  printf '<File ovf:id="file0" ovf:href="disk1.vmdk" ovf:size="1"/>\n</References>\n<DiskSection><Info>x</Info>\n'
  printf '<Disk ovf:capacity="2" ovf:capacityAllocationUnits="byte * 2^20" ovf:diskId="vmdisk0" ovf:fileRef="file0"/>\n'
  printf '</DiskSection>\n</Envelope>\n'
}
ovf > app.ovf
for f in streamOptimized:ustar monolithicSparse:pax streamOptimized:gnu; do
  qemu-img convert -O vmdk -o subformat=${f%%:*} o.raw disk1.vmdk
  tar --format=${f##*:} -cf app.ova app.ovf disk1.vmdk
  sparse OvaFuzzTest ova "${f%%:*}-${f##*:}" app.ova
done

# ---- BitLocker: clear key (reaches the layout and decryption), CBC, Elephant, To Go, Encrypt-on-Write, 4 KiB sectors
images="bitlk-aes-xts-128-clearkey-only bitlk-aes-cbc-128 bitlk-aes-cbc-elephant-128 bitlk-togo-aes-xts-128
        bitlk-aes-xts-128-eow bitlk-aes-xts-128-4k"
tar -xJf "$CORPUS/cryptsetup-bitlk/bitlk-images.tar.xz" $(for i in $images; do echo "bitlk-images/$i.img"; done)
for i in $images; do metadata BitLockerFuzzTest metadata bitlocker "bitlk-images/$i.img" "${i#bitlk-}"; done

# ---- VSS: the corpus NTFS volume with two stores (Windows-made)
qemu-img convert -O raw "$CORPUS/dfvfs/vsstest.qcow2" vss.raw
metadata VssFuzzTest shadowCopies vss vss.raw dfvfs-vsstest
