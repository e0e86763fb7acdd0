package io.vdetach.cli;

import io.vdetach.apply.ImageSource;
import io.vdetach.apply.Verify;
import io.vdetach.error.UsageException;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.MediaHashes;
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

@Command(name = "verify", description = {"Compare DEST with the image, entry by entry: type, size, content, mode, mtime, link target, user xattrs.",
        "verify --image IMAGE: recompute an evidence container's media hashes (E01: MD5, SHA-1) and compare with the stored ones."})
final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE") Path image;
    @Parameters(index = "1", paramLabel = "DEST", arity = "0..1") Path dest;
    @Option(names = "--image", description = "Recompute the media hashes the image stores (E01) instead of comparing a DEST.")
    boolean imageHashes;
    @Mixin ImageOptions io = new ImageOptions();
    @Option(names = "--deleted", description = "DEST holds the recovered entries too (extract --deleted).")
    boolean deleted;
    @Option(names = "--volume", paramLabel = "N|NAME", description = "DEST holds only this volume's files (as extract --volume wrote them).")
    String volume;

    @Override
    public Integer call() throws Exception {
        if (imageHashes) return imageHashes();
        if (dest == null) throw new UsageException("verify: DEST is missing (or pass --image to check the image's stored hashes)");
        Verify.Result r = Verify.run(new Verify.Request(new ImageSource(image, io.openOptions(), io.mountOptions()), dest, volume, deleted));
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

    private int imageHashes() throws Exception {
        if (dest != null) throw new UsageException("verify --image takes the image only, no DEST");
        MediaHashes h;
        try (DiskImage d = ImageOpener.open(image, io.openOptions())) {
            h = MediaHashes.verify(d);
        }
        if (io.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("stored", h.stored());
            m.put("computed", h.computed());
            m.put("damage", h.damage());
            m.put("matches", h.matches());
            System.out.println(Json.render(m));
        } else {
            for (Map.Entry<String, String> e : h.stored().entrySet()) {
                String got = h.computed().get(e.getKey());
                System.out.printf("%-6s stored %s, computed %s: %s%n", e.getKey(), e.getValue(), got == null ? "-" : got,
                        e.getValue().equals(got) ? "match" : "MISMATCH");
            }
            if (h.damage() != null) System.out.println("DAMAGED " + h.damage());
            System.out.println(h.matches() ? "the media matches its stored hashes" : "the media does NOT match its stored hashes");
        }
        return h.matches() ? 0 : 1;
    }
}
