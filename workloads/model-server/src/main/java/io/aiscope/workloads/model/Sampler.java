package io.aiscope.workloads.model;

import java.util.Random;

/**
 * Picks the next token from logits: greedy at temperature 0, otherwise softmax sampling from a seeded generator,
 * so a request with the same prompt and seed always gets the same text. Never picks the sequence marker.
 */
public final class Sampler {
    private final double temperature;
    private final Random random;

    public Sampler(double temperature, long seed) {
        this.temperature = temperature;
        this.random = new Random(seed);
    }

    public int next(float[] logits) {
        int best = 1;
        for (int i = 2; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        if (temperature <= 0) return best;
        double[] weights = new double[logits.length];
        double total = 0;
        for (int i = 1; i < logits.length; i++) {
            weights[i] = Math.exp((logits[i] - logits[best]) / temperature);
            total += weights[i];
        }
        double pick = random.nextDouble() * total;
        for (int i = 1; i < logits.length; i++) {
            pick -= weights[i];
            if (pick <= 0) return i;
        }
        return best;
    }
}
