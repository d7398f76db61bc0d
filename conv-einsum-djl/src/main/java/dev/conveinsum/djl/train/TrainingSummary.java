package dev.conveinsum.djl.train;

import java.util.List;

/**
 * The outcome of a training run, with every epoch reached (those of a resumed run's earlier
 * sessions included).
 *
 * @param model the network, e.g. {@code resnet20}
 * @param decomposition its convolutions' decomposition, e.g. {@code cp}
 * @param cr their compression rate (1 for dense)
 * @param parameters the network's trainable parameters
 * @param denseParameters those of the same network with dense convolutions
 * @param path the path optimizer
 * @param epochs one result per epoch
 * @param device the device trained on, e.g. {@code cpu}
 */
public record TrainingSummary(String model, String decomposition, double cr, long parameters,
    long denseParameters, String path, List<EpochResult> epochs, String device) {

  /** Copies the list. */
  public TrainingSummary {
    epochs = List.copyOf(epochs);
  }
}
