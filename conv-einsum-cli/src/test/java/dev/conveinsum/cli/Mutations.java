package dev.conveinsum.cli;

import dev.conveinsum.testing.RandomExpressions;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generators shared by the fuzz tests: valid random calls (from core's {@link
 * RandomExpressions}) and small edits of a text, so that inputs sit near the valid ones where
 * the interesting bugs are, and jqwik can shrink a failure to fewer edits.
 */
final class Mutations {
  /** Characters an edit inserts: the grammar's, digits, quotes and JSON's, and odd ones. */
  private static final String CHARS = "abijhwt()_.,->| 019\"{}[]:eE+-\t\n\\\u00e9\u0000\uffff";

  private Mutations() {}

  /** One edit: insert, delete or replace at a position (taken modulo the length). */
  record Edit(int kind, int position, char c) {}

  /** Returns up to {@code max} edits. */
  static Arbitrary<List<Edit>> edits(int max) {
    Arbitrary<Edit> edit = Combinators.combine(Arbitraries.integers().between(0, 2),
        Arbitraries.integers().between(0, 1 << 20), Arbitraries.of(chars()))
        .as(Edit::new);
    return edit.list().ofMinSize(1).ofMaxSize(max);
  }

  /** Applies the edits in order. */
  static String apply(String text, List<Edit> edits) {
    StringBuilder sb = new StringBuilder(text);
    for (Edit e : edits) {
      int at = e.position() % (sb.length() + 1);
      switch (e.kind()) {
        case 0 -> sb.insert(at, e.c());
        case 1 -> {
          if (at < sb.length()) {
            sb.deleteCharAt(at);
          }
        }
        default -> {
          if (at < sb.length()) {
            sb.setCharAt(at, e.c());
          } else {
            sb.append(e.c());
          }
        }
      }
    }
    return sb.toString();
  }

  /** Random valid calls of the given settings, drawn from a seed jqwik chooses. */
  static Arbitrary<RandomExpressions.Case> cases(RandomExpressions.Settings settings) {
    return Arbitraries.longs().map(seed -> RandomExpressions.next(new SplittableRandom(seed),
        settings));
  }

  private static Character[] chars() {
    Character[] c = new Character[CHARS.length()];
    for (int i = 0; i < c.length; i++) {
      c[i] = CHARS.charAt(i);
    }
    return c;
  }
}
