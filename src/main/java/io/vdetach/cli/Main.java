package io.vdetach.cli;

import io.vdetach.error.VdetachException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "vdetach", mixinStandardHelpOptions = true, version = "vdetach 0.1.0",
        description = "Turn a virtual machine disk image into host files by sharing the blocks it already occupies.",
        subcommands = {LsCommand.class, PlanCommand.class, ExtractCommand.class, DetachCommand.class,
                VerifyCommand.class, CatCommand.class, DumpCommand.class, OfflineCommand.class},
        footer = {"", "Exit codes: 0 done; 1 some entries skipped or failed; 2 usage; 3 image unreadable, corrupt or",
                "unsupported; 4 the host refused (space, permission, not the same filesystem for --mode share)."})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> handle(e));
        cl.setParameterExceptionHandler((e, args2) -> {
            System.err.println("vdetach: " + e.getMessage());
            System.err.println("Try 'vdetach " + e.getCommandLine().getCommandName() + " --help'.");
            return 2;
        });
        return cl.execute(args);
    }

    /** Maps every failure to its exit code and one line on stderr; a stack trace only with VDETACH_DEBUG. */
    static int handle(Exception e) {
        if (System.getenv("VDETACH_DEBUG") != null) e.printStackTrace();
        int code;
        String msg;
        switch (e) {
            case VdetachException v -> {
                code = v.exitCode();
                msg = v.getMessage();
            }
            case UsageException u -> {
                code = 2;
                msg = u.getMessage();
            }
            case NoSuchFileException n -> {
                code = 4;
                msg = n.getFile() + ": no such file";
            }
            case AccessDeniedException a -> {
                code = 4;
                msg = a.getFile() + ": permission denied";
            }
            case EOFException eof -> {
                code = 3;
                msg = "the image is truncated: " + eof.getMessage();
            }
            case IOException io -> {
                code = 4;
                msg = "I/O error: " + io.getMessage();
            }
            default -> {
                // A parser bug met hostile input: still the image's fault from the user's side.
                code = 3;
                msg = "could not read the image (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                        + "); set VDETACH_DEBUG=1 for details";
            }
        }
        System.out.flush();
        System.err.println("vdetach: " + msg);
        return code;
    }
}
