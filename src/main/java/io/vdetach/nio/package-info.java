/**
 * The {@code vdetach} {@link java.nio.file.spi.FileSystemProvider}: the files inside a VM disk
 * image as a read-only {@link java.nio.file.FileSystem}, read in place.
 *
 * <p>Registered through {@code META-INF/services} and {@code provides} in module-info, so
 * {@link java.nio.file.FileSystems#newFileSystem(java.nio.file.Path, java.util.Map)} finds it on
 * the class path and on the module path alike. It opens any image vdetach reads, detected by
 * content; for a file that is none it throws {@link java.lang.UnsupportedOperationException}, as
 * zipfs does, so other providers get their turn.
 *
 * <ul>
 *   <li>Paths are {@code /<volume>/<guest path>}, volumes named as in {@code vdetach extract}'s
 *     DEST ({@code p1}, {@code p5}, {@code vg-lv}, {@code disk}, {@code p1@vss2}): the root
 *     directory {@code /} holds one directory per volume; with env {@code volume} the root is that
 *     volume's root. An NTFS named stream is {@code /p1/file:stream}. Symlinks resolve inside their
 *     volume (an absolute target starts at the volume's root).</li>
 *   <li>{@link java.nio.file.Files#newByteChannel} gives a {@link java.nio.channels.FileChannel} with
 *     positional reads (holes read as zeros); directory streams, {@code Files.walk},
 *     {@code readSymbolicLink}, {@code isSameFile} (hard links), {@code getFileStore} (one per
 *     volume) work; every write throws {@link java.nio.file.ReadOnlyFileSystemException}.</li>
 *   <li>Attribute views {@code basic}, {@code posix}, {@code owner} (numeric-id principals) and
 *     {@code vdetach} (inode, nlink, ctime, crtime, Windows attributes, xattrs, streams, run map, …).</li>
 *   <li>{@code newFileSystem(Path)} opens an independent file system each time;
 *     {@code newFileSystem(URI.create("vdetach:" + image.toUri()), env)} registers the one file
 *     system of that image (found by {@code FileSystems.getFileSystem(uri)} and
 *     {@code Path.of(URI)}), and throws {@link java.nio.file.FileSystemAlreadyExistsException} for
 *     the same image until it is closed.</li>
 *   <li>Thread-safe: any number of threads may read different files, or one channel, at once.</li>
 * </ul>
 *
 * <p>Example (a complete program:
 * {@code java -cp vdetach.jar:picocli.jar Walk.java web01.qcow2 /p1/etc/hosts}):
 * <pre>{@code
 * import java.nio.file.*;
 * import java.nio.file.attribute.PosixFilePermissions;
 * import java.util.Map;
 *
 * class Walk {
 *     public static void main(String[] args) throws Exception {
 *         try (FileSystem fs = FileSystems.newFileSystem(Path.of(args[0]), Map.of("allowOutsideParents", false));
 *              var walk = Files.walk(fs.getPath("/"))) {
 *             for (Path p : walk.sorted().toList()) {
 *                 System.out.printf("%s %8d %s%n", PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)),
 *                         Files.size(p), p);
 *             }
 *             Path file = fs.getPath(args[1]);
 *             System.out.println(Files.readAttributes(file, "vdetach:inode,nlink,crtime,runs"));
 *             System.out.print(Files.readString(file));
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>docs/library.md in the source tree lists every env key and {@code vdetach:*} attribute.
 */
package io.vdetach.nio;
