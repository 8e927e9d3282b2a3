package io.switchyard.agent.cli;

import io.switchyard.agent.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code switchyard} command: a kube-proxy replacement and its tools. */
@Command(name = "switchyard",
        mixinStandardHelpOptions = true,
        version = "switchyard 0.1.0",
        description = "A node-local Kubernetes service proxy, compatible with kube-proxy.",
        subcommands = {RunCommand.class, DumpRulesCommand.class, BenchCommand.class})
public final class Switchyard implements Runnable {

    /** Exit code for unusable input: bad flags, bad configuration, bad objects. */
    public static final int EXIT_INVALID_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try dump-rules)");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (for tests and for main). */
    public static int execute(String... args) {
        CommandLine commandLine = new CommandLine(new Switchyard());
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            if (e instanceof ConfigException) {
                cl.getErr().println("switchyard: " + e.getMessage());
                return EXIT_INVALID_INPUT;
            }
            throw e;
        });
        return commandLine.execute(args);
    }
}
