package io.vdetach.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every command answers --help on stdout with exit 0 (the man page and completion are generated from the same model). */
class HelpTest {
    @ParameterizedTest
    @ValueSource(strings = {"ls", "plan", "extract", "detach", "verify", "cat", "dump", "offline", "offline detach", "offline undo"})
    void everyCommandHasHelp(String command) {
        String[] words = (command + " --help").split(" ");
        Cli.Run r = Cli.run(words);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("Usage: vdetach " + command);
    }
}
