package dev.conveinsum.engine;

import dev.conveinsum.ConvEinsumException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** Finds engines with {@link ServiceLoader}, as DJL finds its engines. */
public final class Engines {
  private static volatile List<Engine> engines;

  private Engines() {}

  /** Returns every engine on the class path, highest priority first. */
  public static List<Engine> all() {
    List<Engine> e = engines;
    if (e == null) {
      List<Engine> found = new ArrayList<>();
      ServiceLoader.load(Engine.class, Engines.class.getClassLoader()).forEach(found::add);
      found.sort(Comparator.comparingInt(Engine::priority).reversed());
      engines = e = List.copyOf(found);
    }
    return e;
  }

  /** Returns the highest-priority engine. */
  public static Engine best() {
    List<Engine> e = all();
    if (e.isEmpty()) {
      throw new IllegalStateException("no conv-einsum engine found on the class path");
    }
    return e.get(0);
  }

  /**
   * Returns the named engine.
   *
   * @throws ConvEinsumException listing the available names when none has that name
   */
  public static Engine get(String name) {
    for (Engine e : all()) {
      if (e.name().equalsIgnoreCase(name)) {
        return e;
      }
    }
    throw new ConvEinsumException("unknown engine '" + name + "'; available: "
        + all().stream().map(Engine::name).collect(Collectors.joining(", ")));
  }
}
