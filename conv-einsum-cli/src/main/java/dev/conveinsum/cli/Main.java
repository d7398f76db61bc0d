package dev.conveinsum.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code conv-einsum} command: path, eval, bench, layer. */
@Command(name = "conv-einsum", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "einsum with convolutions: optimal contraction paths and fast evaluation.",
    subcommands = {PathCommand.class, EvalCommand.class, BenchCommand.class,
        LayerCommand.class, TrainCommand.class, dev.conveinsum.cli.report.ReportCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Runs the command line with the given streams (for tests).
   *
   * @return the exit status: 0 on success, 1 for an invalid input, 2 for a usage error
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = configure(new CommandLine(new Main()), out, err);
    // An expression may start with '-' ("->" is a scalar's): an argument that is no option is
    // the expression, not an unknown option. A misspelt option is still refused, as an
    // unmatched argument.
    for (String name : new String[] {"path", "bench"}) {
      cli.getSubcommands().get(name).setUnmatchedOptionsArePositionalParams(true);
    }
    return execute(cli, args, err);
  }

  /** Installs the streams and the one-line error handlers (exit 2 for usage, 1 for input). */
  static CommandLine configure(CommandLine cli, PrintWriter out, PrintWriter err) {
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler((ex, a) -> {
      CommandLine c = ex.getCommandLine();
      err.println("conv-einsum: " + bounded(ex.getMessage()) + " (see 'conv-einsum "
          + qualified(c) + "--help')");
      return 2;
    });
    cli.setExecutionExceptionHandler((ex, c, parsed) -> {
      err.println(message(ex));
      return 1;
    });
    return cli;
  }

  /**
   * Executes a command line, turning anything that escapes picocli's handlers into one line:
   * picocli hands only {@link Exception}s to the execution handler, so an {@link
   * OutOfMemoryError} or {@link StackOverflowError} of a command (or any other error) arrives
   * here.
   */
  static int execute(CommandLine cli, String[] args, PrintWriter err) {
    try {
      return cli.execute(args);
    } catch (RuntimeException | Error e) {
      err.println(message(e));
      err.flush();
      return 1;
    }
  }

  /** One line of at most about 1,000 characters (an argument may be huge). */
  private static String bounded(String m) {
    String line = m.replace('\n', ' ');
    return line.length() <= 1000 ? line
        : line.substring(0, 600) + "<...>" + line.substring(line.length() - 395);
  }

  private static String qualified(CommandLine c) {
    String name = c.getCommandName();
    return "conv-einsum".equals(name) ? "" : name + " ";
  }

  /** One line for a failure: the library's own message, or the exception's, never a trace. */
  static String message(Throwable ex) {
    Throwable t = ex;
    while (t.getCause() != null && !(t instanceof IllegalArgumentException)) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    m = bounded(m);
    if (t instanceof OutOfMemoryError) {
      m = "out of memory (" + m + "); try smaller shapes, or a larger heap such as"
          + " CONV_EINSUM_JAVA_OPTS=-Xmx16g (now at most "
          + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB)";
    } else if (t instanceof StackOverflowError) {
      m = "stack overflow: the input nests too deeply";
    }
    return m.startsWith("conv_einsum:") || m.startsWith("conv-einsum:") ? m
        : "conv-einsum: " + m;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Reports the version from the jar manifest, or the development version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"conv-einsum " + (v == null ? "0.1.0-SNAPSHOT" : v),
          "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name")
              + ")"};
    }
  }
}
