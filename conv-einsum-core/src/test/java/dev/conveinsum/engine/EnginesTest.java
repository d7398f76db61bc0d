package dev.conveinsum.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.ConvEinsumException;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnginesTest {
  @Test
  void serviceLoaderFindsTheCpuEngineFirstAndTheOracle() {
    List<String> names = Engines.all().stream().map(Engine::name).toList();
    assertEquals(List.of("cpu", "loops"), names);
    assertEquals("cpu", Engines.best().name());
    assertEquals("loops", Engines.get("LOOPS").name());
  }

  @Test
  void unknownEngineListsTheAvailableOnes() {
    ConvEinsumException e = assertThrows(ConvEinsumException.class, () -> Engines.get("gpu"));
    assertTrue(e.getMessage().contains("available: cpu, loops"), e.getMessage());
  }
}
