package io.vdetach.cli;

import io.vdetach.apply.Dump;
import io.vdetach.apply.ImageSource;
import io.vdetach.error.UsageException;
import io.vdetach.json.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "dump", description = "Write the whole guest disk (chains resolved), or one volume of it (decrypted when"
        + " BitLocker), to OUT as a sparse raw file.")
final class DumpCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE") Path image;
    @Parameters(index = "1", paramLabel = "OUT") Path out;
    @Mixin ImageOptions io = new ImageOptions();
    @Option(names = "--volume", paramLabel = "N|NAME", description = "Only this volume (p1, vg-lv, disk or its number); a BitLocker volume is"
            + " written decrypted.") String volume;

    @Override
    public Integer call() throws Exception {
        if (io.vss != null) {
            throw new UsageException("--vss: dump writes the whole disk as it is; a shadow copy is a volume's past state"
                    + " (read it with extract, cat or verify --vss " + io.vss + ")");
        }
        Dump.Result r = Dump.run(new Dump.Request(new ImageSource(image, io.openOptions(), io.mountOptions()), out, volume));
        if (io.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("virtual_size", r.virtualSize());
            m.put("bytes_copied", r.bytesCopied());
            m.put("bytes_decoded", r.bytesDecoded());
            m.put("bytes_sparse", r.bytesSparse());
            m.put("seconds", r.seconds());
            System.out.println(Json.render(m));
        } else {
            System.out.printf("dumped %s: copied %s, decoded %s, sparse %s in %.2f s%n", Units.bytes(r.virtualSize()),
                    Units.bytes(r.bytesCopied()), Units.bytes(r.bytesDecoded()), Units.bytes(r.bytesSparse()), r.seconds());
        }
        return 0;
    }
}
