package io.vdetach.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.DiskFixture;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.ScratchHost;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The evidence containers of issue 15 made by their real tools from the GPT + ext4 fixture (split,
 * ewfacquire, tar of an .ovf and a qemu-img VMDK), each extracted onto an XFS host (reflink) with
 * {@code vdetach extract}: the tree equals the kernel's mount of the raw disk, and the JSON says how
 * much was shared (docs/formats.md).
 */
class ContainerShareTest {

    private static long key(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (\\d+)").matcher(json);
        assertThat(m.find()).as(key + " in " + json).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static final String OVF = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
              <References><File ovf:id="file1" ovf:href="disk1.vmdk"/></References>
              <DiskSection><Info>disks</Info>
                <Disk ovf:capacity="64" ovf:capacityAllocationUnits="byte * 2^20" ovf:diskId="vmdisk1" ovf:fileRef="file1"/>
              </DiskSection>
            </Envelope>
            """;

    @Test
    void evidenceContainersExtractedOntoXfs() throws Exception {
        Need.root();
        Need.tools("qemu-img", "mkfs.xfs", "ewfacquire", "split", "tar");
        Path raw = DiskFixture.raw();
        TreeMap<String, EntryFacts> oracle;
        try (LoopMount m = LoopMount.readOnly(raw, 1L << 20, 48L << 20, "ext4", "")) {
            oracle = HostTree.walk(m.path(), "lost+found");
        }
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "vdetach-containers");
        try (ScratchHost host = ScratchHost.create(work, "xfs", 900L << 20)) {
            String[][] variants = {
                    {"split raw (split -b 16M)", "mkdir s && split -b 16M " + raw + " s/disk.img.", "s/disk.img.aa"},
                    {"split raw (split -d -b 10000000)", "mkdir n && split -d -b 10000000 " + raw + " n/x", "n/x00"},
                    {"ewf -c none", "mkdir e && ewfacquire -u -q -c none -S 16MiB -t e/disk " + raw, "e/disk.E01"},
                    {"ewf -c deflate:fast", "mkdir f && ewfacquire -u -q -c deflate:fast -S 16MiB -t f/disk " + raw, "f/disk.E01"},
                    {"ova (streamOptimized vmdk)", "mkdir o && cd o && qemu-img convert -O vmdk -o subformat=streamOptimized " + raw
                            + " disk1.vmdk && printf '%s' \"$OVF\" > app.ovf && tar --format=ustar -cf app.ova app.ovf disk1.vmdk"
                            + " && rm disk1.vmdk", "o/app.ova"},
                    {"ova (monolithicSparse vmdk)", "mkdir p && cd p && qemu-img convert -O vmdk " + raw
                            + " disk1.vmdk && printf '%s' \"$OVF\" > app.ovf && tar --format=pax -cf app.ova app.ovf disk1.vmdk"
                            + " && rm disk1.vmdk", "p/app.ova"}};
            int i = 0;
            for (String[] v : variants) {
                Sh.run("env", "OVF=" + OVF, "bash", "-euo", "pipefail", "-c", "cd " + host.root() + " && " + v[1]);
                Path img = host.resolve(v[2]);
                Path dest = host.resolve("out" + i++);
                long freeBefore = Files.getFileStore(host.root()).getUsableSpace();
                Cli.Run r = Cli.run("extract", "--no-progress", "--json", img.toString(), dest.toString());
                assertThat(r.exit()).as(v[0] + ": " + r.out() + r.err()).isZero();
                TreeAssert.assertSameTree(oracle, HostTree.walk(dest.resolve("p1"), "lost+found"));
                long total = key(r.out(), "bytes_total");
                long shared = key(r.out(), "bytes_shared");
                System.out.printf("EXTRACT-SHARE %s: %d of %d file bytes shared (%.4f), %d materialised, %d copied%n",
                        v[0], shared, total, (double) shared / total, key(r.out(), "bytes_materialised"),
                        key(r.out(), "bytes_copied"));
                long used = freeBefore - Files.getFileStore(host.root()).getUsableSpace();
                assertThat(used).as(v[0] + ": no temporary copy of the disk (host space used by the extraction)")
                        .isLessThan(total - shared + (16L << 20));
                Sh.run("rm", "-rf", dest.toString());
            }
        } finally {
            Sh.exec(null, "rm", "-rf", work.toString());
        }
    }
}
