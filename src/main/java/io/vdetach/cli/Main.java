package io.vdetach.cli;

import io.vdetach.api.VdetachIOException;
import io.vdetach.error.ErrorKind;
import io.vdetach.error.VdetachException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "vdetach", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = Main.VERSION,
        description = "Turn a virtual machine disk image into host files by sharing the blocks it already occupies.",
        subcommands = {LsCommand.class, PlanCommand.class, ExtractCommand.class, DetachCommand.class,
                VerifyCommand.class, CatCommand.class, DumpCommand.class, OfflineCommand.class},
        footer = {"", "Exit codes: 0 done; 1 some entries skipped or failed; 2 usage; 3 image unreadable, corrupt or",
                "unsupported; 4 the host refused (space, permission, not the same filesystem for --mode share);",
                "70 internal error (a bug in vdetach: please report it)."})
public final class Main {
    /** What --version prints and the manifest's header records. */
    static final String VERSION = "vdetach 0.1.0";

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> handle(e));
        cl.setParameterExceptionHandler((e, args2) -> {
            System.err.println(Diagnostics.PREFIX + "error: " + e.getMessage());
            System.err.println("Try '" + qualifiedName(e.getCommandLine()) + " --help'.");
            return 2;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // picocli hands Errors on: the image made us hold or nest more than we can
            return handle(e);
        }
    }

    /** "vdetach offline detach", not just "detach": the command as typed. */
    private static String qualifiedName(CommandLine c) {
        String name = c.getCommandName();
        for (CommandLine p = c.getParent(); p != null; p = p.getParent()) name = p.getCommandName() + " " + name;
        return name;
    }

    /**
     * Maps every failure to its exit code and one line on stderr; a stack trace only with
     * VDETACH_DEBUG. What is not one of our errors is a bug in vdetach, not the image's fault.
     */
    static int handle(Throwable e) {
        if (System.getenv("VDETACH_DEBUG") != null) e.printStackTrace();
        int code;
        String msg;
        switch (e) {
            case VdetachException v -> {
                code = v.exitCode();
                msg = v.getMessage();
            }
            case VdetachIOException v -> {
                // the library's form of our errors (ls runs on io.vdetach.api): same exit code and message
                code = v.exitCode();
                msg = v.getMessage();
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
            case OutOfMemoryError oom -> {
                code = ErrorKind.CORRUPT.exitCode();
                msg = "the image makes vdetach hold more than its memory (" + oom.getMessage()
                        + "): a hostile or damaged structure; set VDETACH_DEBUG=1 for where";
            }
            case StackOverflowError so -> {
                code = ErrorKind.CORRUPT.exitCode();
                msg = "the image nests structures deeper than vdetach follows" + (so.getMessage() == null ? "" : " (" + so.getMessage() + ")")
                        + ": a hostile or damaged structure; set VDETACH_DEBUG=1 for where";
            }
            default -> {
                code = ErrorKind.INTERNAL.exitCode();
                msg = "internal error (" + e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                        + "); please report it with VDETACH_DEBUG=1's stack trace";
            }
        }
        System.out.flush();
        System.err.println(Diagnostics.PREFIX + "error: " + msg);
        return code;
    }
}
