package io.egressguard;

import io.egressguard.cli.Cli;
import io.egressguard.webhook.InMemoryKeyStores;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * One application, two faces: without arguments it serves the admission webhook; with a subcommand
 * ({@code check}, ...) it runs the engine on files and exits, without starting the server.
 */
@QuarkusMain
public final class Main {

    private Main() {
    }

    public static void main(String... args) {
        if (args.length == 0) {
            InMemoryKeyStores.useOneIteration(); // before the TLS registry first loads the serving key pair
            Quarkus.run(args);
            return;
        }
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(Cli.run(args, System.in, out, err));
    }
}
