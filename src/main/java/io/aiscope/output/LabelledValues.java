package io.aiscope.output;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metric values summed per label set before they are exposed: processes past the label budget all become
 * pid="other", and Prometheus must see each label set once.
 */
public final class LabelledValues {
    private final Map<List<String>, Double> values = new LinkedHashMap<>();

    public void add(double value, String... labels) {
        values.merge(List.of(labels), value, Double::sum);
    }

    /** Hands each label set and its sum to a metric callback, e.g. {@code cb::call}. */
    public void forEach(Sink sink) {
        values.forEach((labels, value) -> sink.call(value, labels.toArray(String[]::new)));
    }

    @FunctionalInterface
    public interface Sink {
        void call(double value, String... labels);
    }
}
