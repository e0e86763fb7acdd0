/**
 * vdetach: turns a virtual machine disk image into host files, and reads the files inside images
 * in place.
 *
 * <p>Two packages are the library: {@link io.vdetach.api} (open an image, list its chain and
 * volumes, walk entries with their metadata and run maps, read contents, extract) and
 * {@link io.vdetach.nio} (the {@code vdetach} {@link java.nio.file.spi.FileSystemProvider}: guest
 * files as a read-only {@link java.nio.file.FileSystem}). Everything else is internal; its packages
 * are the data flow, each depending only on those to its left: error, sys, extent &rarr; image
 * &rarr; volume &rarr; guestfs &rarr; host, plan &rarr; evidence &rarr; apply &rarr; api &rarr; nio, cli.
 */
module io.vdetach {
    requires info.picocli;

    exports io.vdetach.api;
    exports io.vdetach.nio;

    opens io.vdetach.cli to info.picocli;

    provides java.nio.file.spi.FileSystemProvider with io.vdetach.nio.VdetachFileSystemProvider;
}
