package io.vdetach.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** JUnit assumptions with a printed reason, for tests that need root or a tool. */
public final class Need {
    private Need() {}

    public static void root() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) System.out.println("SKIP: needs root");
        assumeTrue(root, "needs root");
    }

    public static void tools(String... tools) {
        for (String t : tools) {
            boolean ok = Sh.has(t);
            if (!ok) System.out.println("SKIP: needs " + t + " (installed by .ci/run)");
            assumeTrue(ok, "needs " + t);
        }
    }
}
