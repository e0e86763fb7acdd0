package io.vdetach.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code ls --json} writes its entries as the walk reaches them instead of building the whole
 * document first. The oracle is Python's json module: the streamed stdout is one document, and
 * it is exactly that document rendered again with two-space indents in the order it was read
 * (the form {@code Json.render}, which built the document before, gives), for whole images and a
 * subtree of the corpus, with the entries the text listing has.
 */
class LsJsonTest {
    private static final String RERENDER = """
            import json, sys
            text = open(sys.argv[1], encoding='utf-8').read()
            doc = json.loads(text)
            again = json.dumps(doc, indent=2, ensure_ascii=False) + '\\n'
            if again != text:
                sys.exit('not the canonical rendering of its own content')
            print(len(doc.get('entries', [])))
            """;

    private static int entriesOf(String stdout) throws Exception {
        Path f = Files.createTempFile("ls", ".json");
        Path py = Files.createTempFile("rerender", ".py");
        try {
            Files.writeString(f, stdout);
            Files.writeString(py, RERENDER);
            return Integer.parseInt(Sh.run("python3", py.toString(), f.toString()).trim());
        } finally {
            Files.deleteIfExists(f);
            Files.deleteIfExists(py);
        }
    }

    @Test
    void streamedDocumentIsTheRenderedOne() throws Exception {
        Need.tools("python3");
        String[][] runs = {
            {"go-ext4/hierarchy_64.ext4"},
            {"ColinFinck-ntfs/testfs1"},
            {"ColinFinck-ntfs/testfs1", "disk/many_subdirs"},
            {"rust-fatfs/fat16.img"},
        };
        for (String[] run : runs) {
            String img = Corpus.file(run[0]).toString();
            String[] json = run.length > 1 ? new String[] {"ls", "--json", img, run[1]} : new String[] {"ls", "--json", img};
            String[] text = run.length > 1 ? new String[] {"ls", img, run[1]} : new String[] {"ls", img};
            Cli.Run j = Cli.run(json), t = Cli.run(text);
            assertThat(j.exit()).as(j.err()).isZero();
            // the text listing: one line per entry after the blank line that ends the volume table
            String listing = t.out().substring(t.out().indexOf("\n\n") + 2);
            long lines = listing.lines().filter(l -> !l.isBlank()).count();
            assertThat(entriesOf(j.out())).as(String.join(" ", json)).isEqualTo(lines).isPositive();
        }
    }

    @Test
    void volumesOnlyIsOneDocumentWithoutEntries() throws Exception {
        Need.tools("python3");
        Cli.Run j = Cli.run("ls", "--json", "--volumes-only", Corpus.file("go-ext4/hierarchy_64.ext4").toString());
        assertThat(j.exit()).as(j.err()).isZero();
        assertThat(j.out()).doesNotContain("\"entries\"");
        assertThat(entriesOf(j.out())).isZero();
    }
}
