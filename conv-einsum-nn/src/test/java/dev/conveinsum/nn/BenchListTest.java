package dev.conveinsum.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchListTest {

  static String resource() throws IOException {
    try (InputStream in = BenchListTest.class.getResourceAsStream("/bench/tnn_layers.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void everyEntryIsReproduced() throws IOException {
    ObjectMapper om = new ObjectMapper();
    JsonNode file = om.readTree(resource());
    List<BenchEntry> entries = BenchList.resnet34Cifar();
    JsonNode mine = om.readTree(BenchList.toJson(BenchList.RESNET34_CIFAR_DESCRIPTION,
        entries));
    assertEquals(file.get("layers").size(), entries.size());
    for (int i = 0; i < entries.size(); i++) {
      JsonNode want = file.get("layers").get(i);
      assertEquals(want, mine.get("layers").get(i), want.get("name").asText());
      List<String> wantKeys = new java.util.ArrayList<>();
      want.fieldNames().forEachRemaining(wantKeys::add);
      assertEquals(wantKeys, List.copyOf(entries.get(i).toMap().keySet()));
    }
    assertEquals(file.get("description"), mine.get("description"));
  }

  @Test
  void textIsByteIdentical() throws IOException {
    assertEquals(resource(), BenchList.toJson(BenchList.RESNET34_CIFAR_DESCRIPTION,
        BenchList.resnet34Cifar()));
  }
}
