package io.vdetach.nio;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.api.GuestVolume;
import io.vdetach.api.Image;
import io.vdetach.guestfs.ntfs.NtfsFixtureAccess;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vdetach:fileAttributes} and {@code vdetach:crtime} of every entry of an NTFS volume equal
 * ntfs-3g's {@code system.ntfs_attrib_be} and {@code system.ntfs_crtime_be} (read-only mount, one
 * {@code getfattr -R} each); the {@code user.ntfs.*} xattrs appear only with env {@code ntfsXattrs};
 * {@code Files.isHidden} is FILE_ATTRIBUTE_HIDDEN or a dot name; every named stream, however small, reads as {@code file:stream} (the value ntfs-3g shows as a user xattr).
 */
class NtfsAttributeViewTest {
    private static final long NT_EPOCH_OFFSET = 116_444_736_000_000_000L; // 100 ns units from 1601 to 1970
    @TempDir Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void attributesAndCreationTimesAreNtfs3gs() throws Exception {
        Need.root();
        Need.tools("mkntfs", "ntfs-3g", "setfattr", "getfattr", "sgdisk");
        Path disk = NtfsFixtureAccess.featuresDisk(dir);
        Map<String, Long> attrib;
        Map<String, Long> crtime;
        byte[] stream2;
        try (Image img = Image.open(disk)) {
            GuestVolume v = img.volumes().getFirst();
            try (LoopMount m = LoopMount.readOnly(disk, v.start(), v.size(), "ntfs-3g", "streams_interface=xattr")) {
                attrib = getfattr(m.path(), "system.ntfs_attrib_be");
                crtime = getfattr(m.path(), "system.ntfs_crtime_be");
                var view = Files.getFileAttributeView(m.path().resolve("small"), java.nio.file.attribute.UserDefinedFileAttributeView.class);
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(view.size("stream2"));
                view.read("stream2", b);
                stream2 = b.array();
            }
        }
        assertThat(attrib).hasSizeGreaterThan(3000).containsKeys("", "c", "c/text", "small", "big/file-with-a-longer-name-17");
        assertThat(attrib.get("c") & 0x800).as("c is compressed").isEqualTo(0x800);
        try (FileSystem fs = FileSystems.newFileSystem(disk)) {
            for (Map.Entry<String, Long> e : attrib.entrySet()) {
                Path p = fs.getPath("/p1").resolve(e.getKey());
                assertThat(Files.getAttribute(p, "vdetach:fileAttributes", LinkOption.NOFOLLOW_LINKS)).as(e.getKey())
                        .isEqualTo(e.getValue().intValue());
                long ticks = crtime.get(e.getKey()) - NT_EPOCH_OFFSET;
                Instant expected = Instant.ofEpochSecond(Math.floorDiv(ticks, 10_000_000L), Math.floorMod(ticks, 10_000_000L) * 100);
                assertThat(Files.getAttribute(p, "vdetach:crtime", LinkOption.NOFOLLOW_LINKS)).as(e.getKey())
                        .isEqualTo(FileTime.from(expected));
                assertThat(xattrNames(p)).as(e.getKey()).noneMatch(n -> n.startsWith("user.ntfs."));
                String name = p.getFileName() == null ? "" : p.getFileName().toString();
                assertThat(Files.isHidden(p)).as("hidden: " + e.getKey()).isEqualTo(name.startsWith(".") || (e.getValue() & 0x2) != 0);
            }
        }
        try (FileSystem fs = FileSystems.newFileSystem(disk)) {
            // every named stream, small ones (also user.* xattrs) too, is a file:stream path
            assertThat((List<Object>) Files.getAttribute(fs.getPath("/p1/small"), "vdetach:streams")).contains("s1", "stream2");
            assertThat(Files.readAllBytes(fs.getPath("/p1/small:stream2"))).hasSize(2000).isEqualTo(stream2);
            assertThat(Files.readString(fs.getPath("/p1/small:s1"))).isEqualTo("hi");
        }
        try (FileSystem fs = FileSystems.newFileSystem(disk, Map.of("ntfsXattrs", true))) {
            assertThat(xattrNames(fs.getPath("/p1/small"))).contains("user.ntfs.crtime", "user.ntfs.attrib");
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> xattrNames(Path p) throws Exception {
        return List.copyOf(((Map<String, byte[]>) Files.getAttribute(p, "vdetach:xattrs", LinkOption.NOFOLLOW_LINKS)).keySet());
    }

    /** relative path ("" for the root) &rarr; the attribute's big-endian value, for every entry getfattr -R lists. */
    private static Map<String, Long> getfattr(Path mount, String name) {
        String out = Sh.bash("cd '" + mount + "' && getfattr -R -h -e hex -n " + name + " . 2>/dev/null");
        Map<String, Long> values = new TreeMap<>();
        String file = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("# file: ")) {
                String p = unescape(line.substring("# file: ".length()));
                file = p.equals(".") ? "" : p.startsWith("./") ? p.substring(2) : p;
            } else if (line.startsWith(name + "=0x") && file != null) {
                values.put(file, Long.parseUnsignedLong(line.substring(name.length() + 3), 16));
            }
        }
        return new HashMap<>(values);
    }

    /** getfattr writes bytes outside printable ASCII as \ooo. */
    private static String unescape(String s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            int c = s.codePointAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.write(Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '\\') {
                b.write('\\');
                i++;
            } else {
                b.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(c) - 1;
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
