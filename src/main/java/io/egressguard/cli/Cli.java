package io.egressguard.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.InputStream;
import java.io.PrintWriter;

/** The command-line face of egress-guard: subcommands that run the engine on files and exit. */
@Command(name = "egress-guard", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "Catches Istio egress gateway misconfigurations. Without arguments the application serves "
                + "the admission webhook.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Cli {

    public static final int OK = 0;
    public static final int FINDINGS = 1;
    public static final int USAGE = 2;

    static final String EXIT_OK = "0:no error-level finding";
    static final String EXIT_FINDINGS = "1:at least one error (or warning with --fail-on warning)";

    private Cli() {
    }

    /** Runs the command line; returns the exit status. Never throws. */
    public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Cli());
        cl.addSubcommand(new CheckCommand(in));
        cl.addSubcommand(new AuditCommand());
        cl.addSubcommand(new ExplainCommand(in));
        cl.setOut(out).setErr(err);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            err.println("egress-guard: " + (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()));
            return USAGE;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("egress-guard: " + ex.getMessage());
            ex.getCommandLine().usage(err);
            return USAGE;
        });
        int rc;
        try {
            rc = cl.execute(args);
        } catch (StackOverflowError | OutOfMemoryError e) {
            // Input the readers did not foresee: one line and the input-error status, never a stack trace or 1.
            err.println("egress-guard: the input is too large or too deeply nested to process ("
                    + e.getClass().getSimpleName() + ")");
            rc = USAGE;
        }
        out.flush();
        err.flush();
        return rc;
    }

    public static String version() {
        String v = Cli.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"egress-guard " + version()};
        }
    }
}
