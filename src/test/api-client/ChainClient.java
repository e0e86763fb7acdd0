import io.vdetach.api.ChainLink;
import io.vdetach.api.Entry;
import io.vdetach.api.GuestVolume;
import io.vdetach.api.Image;
import io.vdetach.api.VdetachIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A program that knows vdetach only through its exported packages (io.vdetach.api and the
 * "vdetach" FileSystemProvider): ExportedApiClientTest compiles it against the module jar and
 * runs it in a JVM of its own on a qcow2 chain.
 */
public final class ChainClient {
    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        try (Image img = Image.open(image)) {
            for (ChainLink link : img.chain()) System.out.println("chain " + link.format() + " " + link.file().getFileName());
            for (GuestVolume v : img.volumes()) System.out.println("volume " + v.name() + " " + v.contentType());
            Entry base = img.entry("p1/docs/base.txt").orElseThrow();
            System.out.print("api " + base.path() + " " + base.size() + " " + new String(base.readAllBytes(), StandardCharsets.UTF_8));
            try {
                img.require("p1/docs/missing.txt");
            } catch (VdetachIOException e) {
                System.out.println("api " + e.kind() + " " + e.exitCode() + " " + e.getMessage());
            }
        }
        try (FileSystem fs = FileSystems.newFileSystem(image); Stream<Path> walk = Files.walk(fs.getPath("/p1"))) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                System.out.println("nio " + p + " " + Files.size(p));
            }
            System.out.print("nio read " + Files.readString(fs.getPath("/p1/top.txt")));
        }
    }
}
