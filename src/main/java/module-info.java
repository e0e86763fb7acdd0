/**
 * vdetach: turns a virtual machine disk image into host files.
 *
 * <p>The packages are the data flow, each depending only on those to its left:
 * error, sys, extent &rarr; image &rarr; volume &rarr; guestfs &rarr; host, plan &rarr; evidence &rarr; apply &rarr; cli.
 */
module io.vdetach {
    requires info.picocli;

    exports io.vdetach.error;
    exports io.vdetach.json;
    exports io.vdetach.extent;
    exports io.vdetach.image;
    exports io.vdetach.volume;
    exports io.vdetach.guestfs;
    exports io.vdetach.sys;
    exports io.vdetach.plan;
    exports io.vdetach.apply;
    exports io.vdetach.host;
    exports io.vdetach.cli;

    opens io.vdetach.cli to info.picocli;

}
