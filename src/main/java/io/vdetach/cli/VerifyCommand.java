package io.vdetach.cli;

import io.vdetach.apply.ImageSource;
import io.vdetach.apply.Verify;
import io.vdetach.json.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", description = "Compare DEST with the image, entry by entry: type, size, content, mode, mtime, link target, user xattrs.")
final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE") Path image;
    @Parameters(index = "1", paramLabel = "DEST") Path dest;
    @Mixin ImageOptions io = new ImageOptions();
    @Option(names = "--volume", paramLabel = "N|NAME", description = "DEST holds only this volume's files (as extract --volume wrote them).")
    String volume;

    @Override
    public Integer call() throws Exception {
        Verify.Result r = Verify.run(new Verify.Request(new ImageSource(image, io.openOptions(), io.mountOptions()), dest, volume));
        for (Verify.Mismatch mm : r.mismatches()) Diagnostics.error(mm.path(), mm.what());
        if (io.json) {
            List<Object> list = new ArrayList<>();
            for (Verify.Mismatch mm : r.mismatches()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("path", mm.path());
                e.put("what", mm.what());
                list.add(e);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("entries_checked", r.checked());
            m.put("mismatches", list);
            m.put("seconds", r.seconds());
            System.out.println(Json.render(m));
        } else {
            for (Verify.Mismatch m : r.mismatches()) System.out.println("MISMATCH " + LsCommand.escape(m.path() + ": " + m.what()));
            System.out.printf("verified %d entries in %.2f s: %s%n", r.checked(), r.seconds(),
                    r.mismatches().isEmpty() ? "all equal" : r.mismatches().size() + " mismatches");
        }
        return r.mismatches().isEmpty() ? 0 : 1;
    }
}
