package dev.conveinsum.cli;

import static dev.conveinsum.testing.Tolerance.assertClose;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.GoldenCases;
import dev.conveinsum.testing.RandomExpressions.Case;
import dev.conveinsum.testing.RandomExpressions.Settings;
import dev.conveinsum.testing.ReferenceEvaluator;
import dev.conveinsum.testing.SpecOracle;
import dev.conveinsum.testing.Tolerance;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzing of the case reader and {@code eval} (issue 12, item 8): an edited case file is read
 * or refused with the project's exception within the call budget; a generated case run through
 * {@code conv-einsum eval} matches the independent SPEC oracle (and, for gradients, the
 * reference evaluator). Tries: {@code jqwik.tries.default} (README, "Fuzzing").
 */
class CaseReaderFuzzTest {
  private static final ObjectMapper PLAIN = new ObjectMapper();
  private static Path dir;

  @BeforeContainer
  static void createDirectory() throws IOException {
    dir = Files.createTempDirectory("conv-einsum-fuzz");
  }

  @Property
  void editedCaseFilesAreReadOrRefused(@ForAll("editedCases") String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    CaseFile c = FuzzBudget.call("read", json, () -> CaseFile.parse(bytes, "case file"));
    if (c != null && c.operands().stream().allMatch(t -> t.size() <= 64)) {
      FuzzBudget.call("bind", json, () -> BoundExpression.bind(
          Expression.parse(c.expression()), c.options(),
          c.operands().stream().map(Tensor::shape).toList()));
    }
  }

  @Property
  void evalMatchesTheOracle(@ForAll("calls") Case c, @ForAll("dtypes") DType dtype,
      @ForAll boolean withGradient) throws IOException {
    long seed = c.expression().hashCode();
    List<Tensor> ops = new ArrayList<>();
    for (Tensor t : c.operands(seed)) {
      ops.add(t.to(dtype).to(DType.FLOAT64));
    }
    BoundExpression b = BoundExpression.bind(Expression.parse(c.expression()), c.convOptions(),
        c.shapes());
    Tensor grad = withGradient ? Tensor.random(DType.FLOAT64, seed, b.outputShape()).to(dtype)
        .to(DType.FLOAT64) : null;
    Path file = dir.resolve("case.json");
    Files.writeString(file, caseJson(c, dtype, ops, grad));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = FuzzBudget.call("eval", c, () -> Main.run(
        new String[] {"eval", "--case", file.toString()}, new PrintWriter(out, true),
        new PrintWriter(err, true)));
    if (status != 0) {
      throw new AssertionError("eval refused the valid " + c + ": " + err);
    }
    JsonNode got = PLAIN.readTree(out.toString());
    double tol = dtype == DType.FLOAT64 ? Tolerance.FLOAT64 : Tolerance.FLOAT32;
    assertClose(SpecOracle.evaluate(c, ops), GoldenCases.tensor(got), tol, c + " " + dtype);
    if (grad != null) {
      List<Tensor> want = ReferenceEvaluator.vjp(b, ops, grad);
      for (int k = 0; k < want.size(); k++) {
        assertClose(want.get(k), GoldenCases.tensor(got.get("grads").get(k)), tol,
            c + " grad " + k);
      }
    }
  }

  @Provide
  Arbitrary<Case> calls() {
    return Arbitraries.oneOf(Mutations.cases(Settings.CONV), Mutations.cases(Settings.EINSUM));
  }

  @Provide
  Arbitrary<DType> dtypes() {
    return Arbitraries.of(DType.FLOAT64, DType.FLOAT64, DType.FLOAT32);
  }

  @Provide
  Arbitrary<String> editedCases() {
    Arbitrary<String> valid = Combinators.combine(Mutations.cases(Settings.CONV),
        Arbitraries.of(DType.values()), Arbitraries.of(true, false))
        .as((c, dtype, g) -> {
          List<Tensor> ops = c.operands(c.expression().hashCode());
          Tensor grad = g ? Tensor.random(DType.FLOAT64, 1, BoundExpression.bind(
              Expression.parse(c.expression()), c.convOptions(), c.shapes()).outputShape())
              : null;
          return caseJson(c, dtype, ops, grad);
        });
    return Combinators.combine(valid, Mutations.edits(3)).as(Mutations::apply);
  }

  /** The case file of SPEC section 5 for a call, written with plain Jackson. */
  private static String caseJson(Case c, DType dtype, List<Tensor> ops, Tensor grad) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("expression", c.expression());
    m.put("options", c.options());
    m.put("dtype", dtype.toString());
    List<Object> operands = new ArrayList<>();
    ops.forEach(t -> operands.add(tensor(t)));
    m.put("operands", operands);
    if (grad != null) {
      m.put("grad_output", tensor(grad));
    }
    try {
      return PLAIN.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  private static Map<String, Object> tensor(Tensor t) {
    return Map.of("shape", t.shape(), "data", t.toDoubleArray());
  }

  @AfterContainer
  static void report() throws IOException {
    FuzzBudget.report("CaseReaderFuzzTest");
    Files.deleteIfExists(dir.resolve("case.json"));
    Files.deleteIfExists(dir);
  }
}
