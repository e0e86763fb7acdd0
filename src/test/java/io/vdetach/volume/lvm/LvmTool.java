package io.vdetach.volume.lvm;

import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lvm2 tools run without device-mapper activation, against a private LVM_SYSTEM_DIR that
 * accepts only our own loop devices, so the host's LVM state is never read or changed.
 */
final class LvmTool implements AutoCloseable {
    private final Path sysDir;
    private final List<String> loops = new ArrayList<>();

    LvmTool(Path tmp) throws Exception {
        this.sysDir = Files.createDirectories(tmp.resolve("lvm-etc"));
    }

    /** Attaches {@code [offset, offset + size)} of {@code img} as a loop device we own. */
    String attach(Path img, long offset, long size) {
        String dev = Sh.run("losetup", "--find", "--show", "--offset", Long.toString(offset), "--sizelimit",
                Long.toString(size), img.toString()).trim();
        loops.add(dev);
        writeConfig();
        return dev;
    }

    private void writeConfig() {
        StringBuilder filter = new StringBuilder();
        for (String l : loops) filter.append("\"a|^").append(l).append("$|\",");
        String conf = "devices { filter=[" + filter + "\"r|.*|\"] global_filter=[" + filter + "\"r|.*|\"]"
                + " obtain_device_list_from_udev=0 use_devicesfile=0 hints=\"none\" }\n"
                + "global { locking_dir=\"" + sysDir + "/lock\" }\n"
                + "activation { udev_sync=0 udev_rules=0 monitoring=0 }\n"
                + "backup { backup=0 archive=0 }\n";
        try {
            Files.writeString(sysDir.resolve("lvm.conf"), conf);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs an lvm command (e.g. "pvcreate", "-ff", "-y", dev). */
    Sh.Result lvm(String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "LVM_SYSTEM_DIR=" + sysDir, "LVM_SUPPRESS_FD_WARNINGS=1", "lvm"));
        cmd.addAll(List.of(args));
        return Sh.exec(null, cmd.toArray(String[]::new));
    }

    String must(String... args) {
        Sh.Result r = lvm(args);
        if (r.exit() != 0) throw new AssertionError("lvm " + String.join(" ", args) + " exited " + r.exit() + "\n" + r.out() + r.err());
        return r.out();
    }

    @Override
    public void close() {
        for (String l : loops) Sh.exec(null, "losetup", "-d", l);
    }
}
