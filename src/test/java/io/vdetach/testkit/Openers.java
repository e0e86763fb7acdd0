package io.vdetach.testkit;

import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
import java.lang.reflect.Constructor;
import java.nio.file.Path;

/**
 * An {@link ImageOpener} for a directory, so a test can call one format's {@code open} directly
 * (an image whose magic a test destroyed is no longer detected as that format at all).
 */
public final class Openers {
    private Openers() {}

    public static ImageOpener forDirectory(Path dir) {
        try {
            Constructor<ImageOpener> c = ImageOpener.class.getDeclaredConstructor(OpenOptions.class, Path.class);
            c.setAccessible(true);
            return c.newInstance(OpenOptions.DEFAULT, dir.toRealPath());
        } catch (ReflectiveOperationException | java.io.IOException e) {
            throw new AssertionError("ImageOpener(OpenOptions, Path) changed: " + e, e);
        }
    }
}
