package dev.conveinsum.cli.report;

import java.io.PrintWriter;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * The sweep's progress bar (me.tongfei:progressbar) on the command's error stream, one step per
 * planned, measured or searched item; or nothing.
 */
final class Progress implements AutoCloseable {
  private final ProgressBar bar;
  private final PrintWriter err;

  private Progress(ProgressBar bar, PrintWriter err) {
    this.bar = bar;
    this.err = err;
  }

  /** A bar of {@code steps} steps drawn on {@code err}, or a silent one when not shown. */
  static Progress of(boolean show, String task, long steps, PrintWriter err) {
    if (!show) {
      return new Progress(null, err);
    }
    ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(steps)
        .setUpdateIntervalMillis(250)
        .setConsumer(new DelegatingProgressBarConsumer(line -> {
          err.print('\r' + line);
          err.flush();
        }, 100))
        .build();
    return new Progress(bar, err);
  }

  /** Says what runs now. */
  void doing(String what) {
    if (bar != null) {
      bar.setExtraMessage(what);
    }
  }

  /** One step done. */
  void step() {
    if (bar != null) {
      bar.step();
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
      err.println();
      err.flush();
    }
  }
}
