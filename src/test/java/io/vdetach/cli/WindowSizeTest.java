package io.vdetach.cli;

import io.vdetach.error.UsageException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** --window SIZE parsing. */
class WindowSizeTest {
    @Test
    void sizesWithSuffixes() {
        assertThat(DetachCommand.parseSize("1048576")).isEqualTo(1L << 20);
        assertThat(DetachCommand.parseSize("256M")).isEqualTo(256L << 20);
        assertThat(DetachCommand.parseSize("1G")).isEqualTo(1L << 30);
        assertThat(DetachCommand.parseSize("2GiB")).isEqualTo(2L << 30);
        assertThat(DetachCommand.parseSize("64k")).isEqualTo(64L << 10);
    }

    @Test
    void garbageAndOverflowAreUsageErrors() {
        assertThatThrownBy(() -> DetachCommand.parseSize("lots")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> DetachCommand.parseSize("-1M")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> DetachCommand.parseSize("99999999999T")).isInstanceOf(UsageException.class);
    }
}
