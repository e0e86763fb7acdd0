package io.vdetach.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.HostFile;
import io.vdetach.testkit.ImageOracle;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detection asks every registered format and takes the most confident; equals are an error, not a guess. */
class FormatDetectionTest {
    @TempDir Path dir;

    private ImageFormat detect(Path p) throws Exception {
        try (HostFile f = HostFile.open(p)) {
            return ImageOpener.detect(f);
        }
    }

    @Test
    void aMagicAtTheStartBeatsAFooterAtTheEnd() throws Exception {
        Need.tools("qemu-img");
        Path img = dir.resolve("q.img");
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", img.toString(), "1M");
        assertThat(detect(img).name()).isEqualTo("qcow2");
        // a guest disk converted from a fixed VHD read as raw ends with that VHD's footer
        Files.write(img, new byte[1024], java.nio.file.StandardOpenOption.APPEND);
        ImageOracle.patch(img, Files.size(img) - 512, "conectix".getBytes(StandardCharsets.US_ASCII));
        assertThat(detect(img).name()).isEqualTo("qcow2");
        Path raw = dir.resolve("r.img");
        Files.write(raw, new byte[4096]);
        assertThat(detect(raw).name()).isEqualTo("raw");
        ImageOracle.patch(raw, 4096 - 512, "conectix".getBytes(StandardCharsets.US_ASCII));
        assertThat(detect(raw).name()).isEqualTo("vhd");
    }

    @Test
    void twoEquallySureFormatsAreReportedByName() throws Exception {
        Path img = dir.resolve("both.img");
        byte[] b = new byte[4096];
        b[0] = 'Q';
        b[1] = 'F';
        b[2] = 'I';
        b[3] = (byte) 0xfb;
        b[0x40] = 0x7f; // VDI's signature 0xbeda107f, little-endian
        b[0x41] = 0x10;
        b[0x42] = (byte) 0xda;
        b[0x43] = (byte) 0xbe;
        Files.write(img, b);
        assertThatThrownBy(() -> detect(img)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("qcow2").hasMessageContaining("vdi").hasMessageContaining("refusing to guess");
    }
}
