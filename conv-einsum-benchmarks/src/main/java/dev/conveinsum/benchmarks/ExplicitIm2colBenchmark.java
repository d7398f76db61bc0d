package dev.conveinsum.benchmarks;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link ConvBenchmark} in a JVM where IM2COL always builds the patch matrix
 * ({@code -Dconveinsum.explicitIm2col=true}), the baseline of the implicit im2col that stride-1
 * problems otherwise take. Compare with {@code -p algorithm=IM2COL
 * 'ConvBenchmark|ExplicitIm2colBenchmark'}.
 */
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g",
    "-Dconveinsum.explicitIm2col=true"})
public class ExplicitIm2colBenchmark extends ConvBenchmark {}
