/**
 * The {@code conv-einsum} command line (SPEC section 5): eval, path, bench, layer, train and
 * report, written against the exported API of core, nn and djl only. It runs from the class path
 * ({@code bin/conv-einsum}); the descriptor makes javac hold the CLI to those exports.
 */
module dev.conveinsum.cli {
  requires dev.conveinsum.core;
  requires dev.conveinsum.nn;
  requires dev.conveinsum.djl;
  requires info.picocli;
  requires com.fasterxml.jackson.databind;
  requires org.jfree.jfreechart;
  requires org.jfree.svg;
  requires me.tongfei.progressbar;
  requires java.desktop;
  requires java.management;
  requires java.xml;

  // picocli fills the commands' annotated fields by reflection
  opens dev.conveinsum.cli to info.picocli;
  opens dev.conveinsum.cli.report to info.picocli;
}
