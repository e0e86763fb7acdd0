package io.vdetach.volume.bitlocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vdetach.error.ImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.FilesystemProbe;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Probed;
import io.vdetach.guestfs.TreeWalker;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file level over a decrypted volume: an NTFS made here cannot be BitLocker-encrypted without
 * Windows, so the NTFS reader runs over the decrypted layer of corpus volumes and must report
 * exactly what it reports over libbde's decryption of the same volume (bdemount's bde1). The
 * corpus volumes were trimmed (SOURCES.md section 10), so what is compared is mostly the damage.
 */
class NtfsOverDecryptedTest {
    @TempDir static Path tmp;
    static BitlkCorpus corpus;

    @BeforeAll
    static void unpack() throws IOException {
        corpus = BitlkCorpus.unpack(tmp);
    }

    /** What the filesystem reader says about a volume: type, warnings, every entry and every error. */
    private static List<String> report(Layer volume) throws IOException {
        List<String> out = new ArrayList<>();
        try {
            Probed p = FilesystemProbe.probe(volume, MountOptions.DEFAULT, BlockCache.withDefaultBudget());
            if (!(p instanceof Probed.Readable r)) {
                out.add("not read: " + p);
                return out;
            }
            GuestFilesystem fs = r.filesystem();
            out.add(fs.type() + " \"" + fs.label() + "\" " + fs.blockSize());
            out.addAll(fs.warnings());
            Node root = fs.node(fs.rootId());
            TreeWalker.walk(fs, root, List.of(), new TreeWalker.Visitor() {
                @Override public boolean enter(List<byte[]> path, Node dir) { out.add("dir " + TreeWalker.display(path)); return true; }
                @Override public void leave(List<byte[]> path, Node dir) { }
                @Override public void entry(List<byte[]> path, Node n) { out.add(n.type() + " " + TreeWalker.display(path) + " " + n.size()); }
                @Override public void error(List<byte[]> path, String reason) { out.add("error " + TreeWalker.display(path) + ": " + reason); }
            });
        } catch (ImageException e) {
            out.add(e.kind() + " " + e.format() + " " + e.structure() + " at " + e.offset());
        }
        return out;
    }

    @Test
    void theNtfsReaderSeesTheSameVolumeAsOverBdemount() throws Exception {
        Need.root();
        Need.tools("bdemount", "fusermount");
        boolean fuse = Files.exists(Path.of("/dev/fuse"));
        if (!fuse) System.out.println("SKIP: needs /dev/fuse for bdemount");
        org.junit.jupiter.api.Assumptions.assumeTrue(fuse, "/dev/fuse");
        // the NTFS volumes bdemount (libbde 20190102) decrypts: AES-CBC, AES-XTS, AES-CBC with the Elephant diffuser
        for (String name : List.of("bitlk-aes-cbc-128", "bitlk-aes-xts-128", "bitlk-aes-cbc-elephant-128")) {
            Path mnt = Files.createDirectory(tmp.resolve("mnt-" + name));
            Sh.run("bdemount", "-p", "anaconda", corpus.image(name).toString(), mnt.toString());
            try (HostFile bde1 = HostFile.open(mnt.resolve("bde1")); HostFile img = HostFile.open(corpus.image(name))) {
                List<String> theirs = report(bde1);
                BitLockerVolume.Unlocked u = BitLockerVolume.open(img).unlock(new Secrets(List.of("anaconda"), List.of(), List.of()));
                List<String> ours = report(u.layer());
                assertFalse(ours.isEmpty());
                assertEquals(theirs, ours, name);
                System.out.println(name + ": " + ours);
            } finally {
                Sh.run("fusermount", "-u", mnt.toString());
            }
        }
    }
}
