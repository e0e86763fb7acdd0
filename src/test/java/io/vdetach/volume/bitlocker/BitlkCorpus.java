package io.vdetach.volume.bitlocker;

import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.Sh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * cryptsetup's BITLK compatibility images (../shared/testdata/SOURCES.md section 10), unpacked
 * (sparse) into a directory, with their answer key images.conf: per volume the password (PW),
 * recovery passwords (RP, RP2), protector GUIDs, the volume GUID and the SHA-256 of the whole
 * decrypted volume as cryptsetup's dm-crypt device shows it.
 */
record BitlkCorpus(Path dir, Map<String, Map<String, String>> conf) {

    static BitlkCorpus unpack(Path into) throws IOException {
        Path archive = Corpus.file("cryptsetup-bitlk/bitlk-images.tar.xz");
        Sh.run("tar", "-xJf", archive.toString(), "-C", into.toString());
        Path dir = into.resolve("bitlk-images");
        Map<String, Map<String, String>> conf = new LinkedHashMap<>();
        Map<String, String> cur = null;
        for (String l : Files.readAllLines(dir.resolve("images.conf"))) {
            if (l.startsWith("[") && l.endsWith("]")) {
                cur = new LinkedHashMap<>();
                conf.put(l.substring(1, l.length() - 1), cur);
            } else if (cur != null && l.contains("=")) {
                cur.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
            }
        }
        return new BitlkCorpus(dir, conf);
    }

    Path image(String name) { return dir.resolve(name + ".img"); }

    /** The .BEK file of a startup-key protector (named after its GUID, upper case). */
    Path bek(String guid) { return dir.resolve(guid.toUpperCase(java.util.Locale.ROOT) + ".BEK"); }

    /** A scratch directory where fsync costs nothing (tmpfs) when there is one, for 100 MiB dumps. */
    static Path scratch(Path fallback) throws IOException {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "bitlk") : fallback;
    }
}
