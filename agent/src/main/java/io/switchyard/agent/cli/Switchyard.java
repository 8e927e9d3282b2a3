package io.switchyard.agent.cli;

import io.switchyard.agent.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The {@code switchyard} command: a kube-proxy replacement and its tools. */
@Command(name = "switchyard",
        mixinStandardHelpOptions = true,
        version = "switchyard 0.1.0",
        description = "A node-local Kubernetes service proxy, compatible with kube-proxy.")
public final class Switchyard implements Runnable {

    /**
     * The subcommands, by name. Building a command's model reads every option's annotations,
     * which costs a cold JVM about a tenth of a second per command; so only the command being run
     * is built (all of them for help and for anything unrecognised).
     */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = new LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("run", RunCommand::new);
        SUBCOMMANDS.put("dump-rules", DumpRulesCommand::new);
        SUBCOMMANDS.put("bench", BenchCommand::new);
    }

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
        return commandLine(args).execute(args);
    }

    /** The command line that runs {@code args}: the subcommand they name (or all), and the error handling. */
    public static CommandLine commandLine(String... args) {
        CommandLine commandLine = new CommandLine(new Switchyard());
        String first = args.length > 0 ? args[0] : "";
        if (SUBCOMMANDS.containsKey(first)) {
            commandLine.addSubcommand(first, SUBCOMMANDS.get(first).get());
        } else {
            SUBCOMMANDS.forEach((name, command) -> commandLine.addSubcommand(name, command.get()));
        }
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            if (e instanceof ConfigException) {
                cl.getErr().println("switchyard: " + e.getMessage());
                return EXIT_INVALID_INPUT;
            }
            throw e;
        });
        return commandLine;
    }
}
