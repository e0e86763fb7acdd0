/**
 * The vdetach library: open a VM disk image in place, list its chain and volumes, walk its
 * entries with their metadata and run maps, read their contents, and extract them into a host
 * directory, as calls.
 *
 * <p>{@link io.vdetach.api.Image#open(java.nio.file.Path, io.vdetach.api.ImageOptions)} opens raw,
 * qcow2 (and its backing chain), VHD, VHDX, VMDK, VDI, E01 and OVA images, detected by content,
 * down to their partition tables (MBR, GPT), LVM, BitLocker (with the secrets given in
 * {@link io.vdetach.api.ImageOptions}) and filesystems (ext2/3/4, XFS, NTFS with its shadow copies,
 * FAT, exFAT). Nothing is ever written to the image. Everything is thread-safe; every failure is a
 * {@link io.vdetach.api.VdetachIOException} that names its
 * {@linkplain io.vdetach.api.VdetachIOException#kind() kind}, format, structure and byte offset.
 *
 * <p>Example (a complete program:
 * {@code java -cp vdetach.jar:picocli.jar ListChain.java web01.qcow2 p1/etc/hosts}):
 * <pre>{@code
 * import io.vdetach.api.*;
 * import java.nio.file.Files;
 * import java.nio.file.Path;
 *
 * class ListChain {
 *     public static void main(String[] args) throws Exception {
 *         try (Image image = Image.open(Path.of(args[0]))) {
 *             for (ChainLink link : image.chain()) System.out.println(link.file() + " " + link.format() + " " + link.detail());
 *             for (GuestVolume v : image.volumes()) {
 *                 System.out.println(v.name() + ": " + v.description());
 *                 if (!v.readable()) continue;
 *                 v.walk(e -> {   // every entry that is not a directory, depth first
 *                     System.out.printf("%10d %s %s%n", e.size(), e.mtime(), e.path());
 *                     if (e.isRegularFile()) {
 *                         for (DataRun r : e.runs()) System.out.println("    " + r.kind() + " " + r.length() + " " + r.reason());
 *                     }
 *                 });
 *             }
 *             Entry file = image.entry(args[1]).orElseThrow();   // "<volume>/<guest path>"
 *             System.out.print(new String(file.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
 *             Path dest = Files.createTempDirectory("extracted");
 *             ExtractionReport report = image.extract(dest, ExtractionOptions.defaults()
 *                     .withProgress((files, bytes, shared) -> { }));
 *             System.out.println(report.counts().files() + " files in " + dest + ", " + report.errors().size() + " errors");
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>The same files are also a {@link java.nio.file.FileSystem}: see {@link io.vdetach.nio}.
 * docs/library.md in the source tree lists every option and attribute.
 */
package io.vdetach.api;
