package io.aiscope.workloads.model;

import io.aiscope.workloads.onnx.OnnxModelBuilder;
import io.aiscope.workloads.onnx.OnnxModelBuilder.Attribute;
import io.aiscope.workloads.onnx.OnnxModelBuilder.Dim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates the tiny language model as an ONNX file, since no model weights can be downloaded here. The weights
 * are pseudo-random (fixed seed), so the file is the same on every build, and the text it writes is nonsense;
 * what matters is that serving it is real work: every token is a forward pass through ONNX Runtime.
 *
 * <pre>
 * tokens int64[n] ─Gather(embedding[V,H])─► embedded[n,H] ─ReduceMean(axis 0)─► context[H] ─MatMul(w_context)─┐
 *                                                          └Gather(index -1)──► last[H] ────MatMul(w_last)────┴Add─Tanh─► hidden[H]
 * hidden ─MatMul(w_out[H,V])─► logits[V]
 * </pre>
 * The next token depends on the last token and on the whole context, so generation is autoregressive: each new
 * token is appended to the input of the next pass. {@code hidden} doubles as the embedding of the input text.
 * The vocabulary travels in the model's metadata ({@code vocabulary}), so the file is self-contained.
 */
public final class TinyLmGenerator {
    public static final int VOCAB = 2048;
    public static final int HIDDEN = 256;
    private static final long SEED = 0x5EED_2048L;
    private static final long OPSET = 17;  // ReduceMean still takes its axes as an attribute before opset 18
    /** Scales logits to a standard deviation near 3: sampling then picks among a handful of likely words. */
    private static final float OUTPUT_SCALE = 0.3f;

    private TinyLmGenerator() {
    }

    public static byte[] generate() {
        Random random = new Random(SEED);  // java.util.Random's sequence is specified, so the bytes are stable
        float inner = (float) (1 / Math.sqrt(HIDDEN));
        return new OnnxModelBuilder("tiny-lm")
                .input("tokens", OnnxModelBuilder.INT64, Dim.named("n"))
                .output("logits", OnnxModelBuilder.FLOAT, Dim.of(VOCAB))
                .output("hidden", OnnxModelBuilder.FLOAT, Dim.of(HIDDEN))
                .initializer("embedding", new long[]{VOCAB, HIDDEN}, gaussian(random, VOCAB * HIDDEN, 1))
                .initializer("w_context", new long[]{HIDDEN, HIDDEN}, gaussian(random, HIDDEN * HIDDEN, inner))
                .initializer("w_last", new long[]{HIDDEN, HIDDEN}, gaussian(random, HIDDEN * HIDDEN, inner))
                .initializer("w_out", new long[]{HIDDEN, VOCAB}, gaussian(random, HIDDEN * VOCAB, OUTPUT_SCALE))
                .initializer("last_index", new long[0], new long[]{-1})
                .node("Gather", List.of("embedding", "tokens"), List.of("embedded"), Attribute.integer("axis", 0))
                .node("ReduceMean", List.of("embedded"), List.of("context"),
                        Attribute.ints("axes", 0), Attribute.integer("keepdims", 0))
                .node("Gather", List.of("embedded", "last_index"), List.of("last"), Attribute.integer("axis", 0))
                .node("MatMul", List.of("context", "w_context"), List.of("mixed_context"))
                .node("MatMul", List.of("last", "w_last"), List.of("mixed_last"))
                .node("Add", List.of("mixed_context", "mixed_last"), List.of("pre"))
                .node("Tanh", List.of("pre"), List.of("hidden"))
                .node("MatMul", List.of("hidden", "w_out"), List.of("logits"))
                .build("aiscope-workloads", OPSET, Map.of("vocabulary", Vocabulary.generate(VOCAB, SEED).serialize()));
    }

    /** {@code java -cp model-server.jar io.aiscope.workloads.model.TinyLmGenerator FILE} writes the model file. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: TinyLmGenerator FILE");
            System.exit(2);
        }
        Files.write(Path.of(args[0]), generate());
    }

    private static float[] gaussian(Random random, int n, float scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (float) random.nextGaussian() * scale;
        return values;
    }
}
