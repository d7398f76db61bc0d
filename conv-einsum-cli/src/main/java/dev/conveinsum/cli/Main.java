package dev.conveinsum.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code conv-einsum} command: path, eval, bench, layer. */
@Command(name = "conv-einsum", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "einsum with convolutions: optimal contraction paths and fast evaluation.",
    subcommands = {PathCommand.class, EvalCommand.class, BenchCommand.class,
        LayerCommand.class, TrainCommand.class, CommandLine.HelpCommand.class})
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
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler((ex, a) -> {
      CommandLine c = ex.getCommandLine();
      err.println("conv-einsum: " + ex.getMessage() + " (see 'conv-einsum "
          + qualified(c) + "--help')");
      return 2;
    });
    cli.setExecutionExceptionHandler((ex, c, parsed) -> {
      err.println(message(ex));
      return 1;
    });
    return cli.execute(args);
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
    m = m.replace('\n', ' ');
    if (t instanceof OutOfMemoryError) {
      m = "out of memory: " + m + "; try smaller shapes or a larger -Xmx";
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
