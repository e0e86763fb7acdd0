package io.vdetach.image.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.Run;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.ImageCheck;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Third-party qcow2 images (testdata/SOURCES.md): the expanded disks' SHA-256 as listed there. */
class Qcow2CorpusTest {

    @ParameterizedTest
    @CsvSource({
        "dissect.hypervisor/basic.qcow2, 536870912, 3c86a52ad19ebbe34acffb812d276817ddca56522eb72de2b984d70ffb20582f",
        "dissect.hypervisor/basic-zstd.qcow2, 536870912, 3c86a52ad19ebbe34acffb812d276817ddca56522eb72de2b984d70ffb20582f",
        "dissect.hypervisor/backing-chain-1.qcow2, , 186334af67c1acb54b08ded0b6a419571000755d4c810c8b768a30281e2ab074",
        "dissect.hypervisor/backing-chain-2.qcow2, , 8e2e850f2a31828f6f053f70f1fbfa71a42ce0571c6d8cd2a7ca0e21e1db8341",
        "dissect.hypervisor/backing-chain-3.qcow2, , 4a57a3a5c273c7c1144743ecafc7b23181f6e23c8abad104493a63a3599bd276",
        "dfvfs/image.qcow2, 102400, a9c0220b1dadd1812fc4bbe137f495d2c3b88c7b33b5a4de545d201fd31b3bc0",
        "dfvfs/vsstest.qcow2, 1073741824, 5cba558cfac0916cae697d2231dc1e17874aa262f2890f5236fb9c90b9610d0a",
    })
    void expandedDiskMatchesSources(String file, Long size, String sha256) throws Exception {
        try (DiskImage d = ImageOpener.open(Corpus.file(file), OpenOptions.DEFAULT)) {
            if (size != null) assertThat(d.size()).isEqualTo(size);
            assertThat(ImageCheck.sha256(d)).isEqualTo(sha256);
            System.out.printf("SHARE corpus %s: %.4f%n", file, ImageCheck.shareRatio(d));
        }
    }

    @Test
    void basicIsAllCompressedAndHasTheBytePattern() throws Exception {
        try (DiskImage d = ImageOpener.open(Corpus.file("dissect.hypervisor/basic.qcow2"), OpenOptions.DEFAULT)) {
            assertThat(d.map(0, 255L << 20)).allMatch(r -> r instanceof Run.Materialise || r instanceof Run.Hole);
            for (int i : new int[] {0, 1, 17, 254}) {
                ByteBuffer b = d.readBytes((long) i << 20, 4096);
                for (int k = 0; k < 4096; k++) assertThat(b.get(k) & 0xff).isEqualTo(i);
            }
        }
    }

    @Test
    void backingChainStrings() throws Exception {
        try (DiskImage d = ImageOpener.open(Corpus.file("dissect.hypervisor/backing-chain-1.qcow2"), OpenOptions.DEFAULT)) {
            assertThat(d.chain()).hasSize(3);
            String[] want = {"Nothing here", "Nothing here two", "Something here three", "Something here four",
                    "Something here five"};
            for (int i = 0; i < want.length; i++) {
                ByteBuffer b = d.readBytes((long) i << 20, 1 << 20);
                String s = new String(b.array(), StandardCharsets.ISO_8859_1).replace("\0", "");
                assertThat(s).isEqualTo(want[i]);
            }
        }
    }

    @Test
    void zstdImageIsCompressedWithZstd() throws Exception {
        try (DiskImage d = ImageOpener.open(Corpus.file("dissect.hypervisor/basic-zstd.qcow2"), OpenOptions.DEFAULT)) {
            assertThat(d.chain().getFirst().detail()).contains("zstd");
            assertThat(d.map(1 << 20, 1 << 20)).singleElement().isInstanceOfSatisfying(Run.Materialise.class,
                    m -> assertThat(m.reason()).contains("zstd"));
        }
    }
}
