import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Build tool of scripts/package: writes the man page vdetach(1) in troff (man(7) macros) to stdout,
 * from picocli's model of the command line, so the page says exactly what {@code --help} says.
 * picocli-codegen's ManPageGenerator writes AsciiDoc and would need asciidoctor (Ruby) to become
 * troff; this walks the same CommandSpec directly.
 *
 * <p>Usage: java -p vdetach.jar:picocli.jar --add-modules io.vdetach --add-exports io.vdetach/io.vdetach.cli=ALL-UNNAMED
 *     scripts/dist/ManPage.java DATE
 */
public final class ManPage {
    private final StringBuilder out = new StringBuilder();

    public static void main(String[] args) {
        String date = args.length > 0 ? args[0] : "";
        CommandSpec root = new CommandLine(new io.vdetach.cli.Main()).getCommandSpec();
        System.out.print(new ManPage().page(root, date));
    }

    private String page(CommandSpec root, String date) {
        String version = String.join(" ", root.version());
        line(".TH VDETACH 1 " + quote(date) + " " + quote(version) + " \"User Commands\"");
        line(".SH NAME");
        line("vdetach \\- " + escape(String.join(" ", root.usageMessage().description())));
        line(".SH SYNOPSIS");
        synopsis(root);
        for (CommandSpec sub : subcommands(root)) synopsis(sub);
        line(".SH DESCRIPTION");
        paragraph(String.join(" ", root.usageMessage().description()));
        paragraph("Each command opens the image read-only, except detach. Run a command without arguments to see"
                + " what it needs.");
        arguments(root);
        line(".SH COMMANDS");
        for (CommandSpec sub : subcommands(root)) {
            line(".SS " + quote(sub.qualifiedName()));
            for (String d : sub.usageMessage().description()) paragraph(d);
            arguments(sub);
        }
        line(".SH EXIT STATUS");
        paragraph(String.join(" ", root.usageMessage().footer()).trim().replaceFirst("^Exit codes: ", ""));
        line(".SH ENVIRONMENT");
        line(".TP");
        line(".B VDETACH_DEBUG");
        line("When set, a failure prints its Java stack trace.");
        return out.toString();
    }

    /** Every command below {@code spec}, depth first, in the order --help lists them (aliases once). */
    private static List<CommandSpec> subcommands(CommandSpec spec) {
        Set<CommandSpec> seen = new LinkedHashSet<>();
        for (CommandLine c : spec.subcommands().values()) {
            if (c.getCommandSpec().usageMessage().hidden() || !seen.add(c.getCommandSpec())) continue;
            seen.addAll(subcommands(c.getCommandSpec()));
        }
        return new ArrayList<>(seen);
    }

    private void synopsis(CommandSpec spec) {
        if (!spec.subcommands().isEmpty() && spec.parent() != null) return; // its subcommands have their own line
        Help help = new Help(spec, Help.defaultColorScheme(Help.Ansi.OFF));
        String text = help.synopsis(0).strip().replaceAll("\\s+", " ");
        String name = spec.qualifiedName();
        line(".PP");
        line(".B " + escape(name));
        if (text.startsWith(name)) text = text.substring(name.length()).strip();
        if (!text.isEmpty()) line(escape(text));
    }

    /** Positional parameters, then options, each as a tagged paragraph. */
    private void arguments(CommandSpec spec) {
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.hidden() || p.description().length == 0) continue; // named in the synopsis
            line(".TP");
            line("\\fI" + escape(p.paramLabel()) + "\\fR");
            description(p);
        }
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) continue;
            line(".TP");
            StringBuilder tag = new StringBuilder();
            for (String n : o.names()) tag.append(tag.isEmpty() ? "" : ", ").append("\\fB").append(escape(n)).append("\\fR");
            if (o.typeInfo().isBoolean() && o.arity().max() == 0) {
                line(tag.toString());
            } else {
                line(tag + " \\fI" + escape(o.paramLabel()) + "\\fR");
            }
            description(o);
        }
    }

    private void description(ArgSpec a) {
        String text = String.join(" ", a.description()).strip();
        if (!text.isEmpty()) line(escape(text));
    }

    private void paragraph(String text) {
        line(".PP");
        line(escape(text.strip()));
    }

    private void line(String s) {
        out.append(s).append('\n');
    }

    private static String quote(String s) {
        return "\"" + escape(s).replace("\"", "\\(dq") + "\"";
    }

    /**
     * troff escapes: backslashes, hyphens as minus signs, characters beyond ASCII as \[uXXXX], and no
     * line starting with a control character.
     */
    private static String escape(String s) {
        StringBuilder e = new StringBuilder();
        s.replace("%n", " ").replace("%%", "%").codePoints().forEach(c -> {
            switch (c) {
                case '\\' -> e.append("\\e");
                case '-' -> e.append("\\-");
                default -> {
                    if (c < 0x80) e.appendCodePoint(c);
                    else e.append(String.format("\\[u%04X]", c));
                }
            }
        });
        return e.toString().startsWith(".") || e.toString().startsWith("'") ? "\\&" + e : e.toString();
    }
}
