package dev.conveinsum.cli.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The machine a report was measured on, written on its page.
 *
 * @param cpu the CPU model (from /proc/cpuinfo on Linux, else the architecture)
 * @param cores available processors
 * @param jdk Java version and VM
 * @param os operating system
 * @param engine the engine measured
 * @param threads threads used
 * @param date when the report was made (UTC, seconds)
 */
record Machine(String cpu, int cores, String jdk, String os, String engine, int threads,
    String date) {

  /** Describes this machine. */
  static Machine here(String engine, int threads) {
    return new Machine(cpuModel(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
        System.getProperty("os.name") + " " + System.getProperty("os.arch"), engine, threads,
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: no CPU name
    }
    return System.getProperty("os.arch");
  }

  ObjectNode toJson() {
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("cpu", cpu);
    o.put("cores", cores);
    o.put("jdk", jdk);
    o.put("os", os);
    o.put("engine", engine);
    o.put("threads", threads);
    o.put("date", date);
    return o;
  }
}
