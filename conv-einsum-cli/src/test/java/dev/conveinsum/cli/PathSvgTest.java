package dev.conveinsum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveinsum.testing.GoldenCases;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code path --svg}: a valid SVG with one node per operand and per step, every golden case. */
class PathSvgTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  static Stream<String> caseNames() {
    return GoldenCases.names().stream();
  }

  /** The shapes argument of a case: 'x' between dimensions, ';' between operands. */
  private static String shapesArg(GoldenCases.Case c) {
    List<String> parts = new ArrayList<>();
    for (long[] s : c.shapes()) {
      parts.add(java.util.Arrays.stream(s).mapToObj(Long::toString)
          .collect(Collectors.joining("x")));
    }
    return String.join(";", parts);
  }

  private static JsonNode rawCase(String name) throws IOException {
    try (InputStream in = PathSvgTest.class.getResourceAsStream("/testdata/cases/" + name)) {
      return JSON.readTree(in);
    }
  }

  static Document parse(Path file) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    // the SVG has no DTD; refuse external entities all the same
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(file.toFile());
  }

  private static List<Element> nodes(Document d, String kind) {
    List<Element> out = new ArrayList<>();
    NodeList gs = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
    for (int i = 0; i < gs.getLength(); i++) {
      Element g = (Element) gs.item(i);
      List<String> classes = List.of(g.getAttribute("class").split(" "));
      if (classes.contains("node") && (kind == null || classes.contains(kind))) {
        out.add(g);
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("caseNames")
  void svgHasOneNodePerOperandAndStep(String name) throws Exception {
    GoldenCases.Case c = GoldenCases.load(name);
    JsonNode raw = rawCase(name);
    Path svg = tmp.resolve("tree.svg");
    List<String> args = new ArrayList<>(List.of("path", c.expression(), "--shapes",
        shapesArg(c), "--json", "--svg", svg.toString()));
    if (raw.has("options") && raw.get("options").size() > 0) {
      args.add("--options");
      args.add(raw.get("options").toString());
    }
    CliTest.Result r = CliTest.run(args.toArray(String[]::new));
    assertEquals(0, r.status(), r.err());
    int steps = JSON.readTree(r.out()).get("path").size();
    Document d = parse(svg);
    assertEquals("svg", d.getDocumentElement().getLocalName());
    int operands = c.operands().size();
    assertEquals(operands + steps, nodes(d, null).size(), name);
    assertEquals(operands, nodes(d, "operand").size(), name);
    assertEquals(steps, nodes(d, "step").size(), name);
    // each step node names the pair it contracts, in path order
    List<Element> stepNodes = nodes(d, "step");
    for (int k = 0; k < steps; k++) {
      assertTrue(stepNodes.get(k).getTextContent().contains("step " + k + ":"), name);
    }
  }

  @Test
  void svgOfTheReadmeLayerShowsShapesAndFlops() throws Exception {
    Path svg = tmp.resolve("cp.svg");
    CliTest.Result r = CliTest.run("path", "bshw,rt,rs,rh,rw->bthw|hw", "--shapes",
        "32x64x32x32;8x64;8x64;8x3;8x3", "--svg", svg.toString(), "--json");
    assertEquals(0, r.status(), r.err());
    JsonNode plan = JSON.readTree(r.out());
    Document d = parse(svg);
    String text = d.getDocumentElement().getTextContent();
    assertTrue(text.contains("32x64x32x32"), "leaf shapes");
    assertTrue(text.contains("0: bshw"), "leaf index strings");
    // the README's step 0: bshw,rs->bhwr costs 3.355e+07 FLOPs
    assertTrue(text.contains("bshw,rs->bhwr"), text);
    assertTrue(text.contains("3.355e+07 FLOPs"), text);
    assertEquals(5 + plan.get("path").size(), nodes(d, null).size());
  }

  @Test
  void svgToAnUnwritablePlaceIsOneLine() throws IOException {
    Path file = Files.writeString(tmp.resolve("plain"), "x");
    CliTest.Result r = CliTest.run("path", "ij,jk->ik", "--shapes", "2x3;3x4", "--svg",
        file.resolve("tree.svg").toString());
    assertEquals(1, r.status());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertEquals("x", Files.readString(file));
  }
}
