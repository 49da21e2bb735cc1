package io.aiscope.workloads.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * The tiny language model in an ONNX Runtime session on the CPU, one thread for everything: the server runs
 * inference on one thread, as a server with one accelerator would, and a pool inside ONNX Runtime would blur
 * which thread does the work.
 */
public final class TinyLm implements AutoCloseable {
    public static final int CONTEXT_WINDOW = 1024;

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final Vocabulary vocabulary;

    /** The outputs of one forward pass. */
    public record Output(float[] logits, float[] hidden) {
    }

    public TinyLm(byte[] onnxModel) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            session = env.createSession(onnxModel, options);
        }
        String words = session.getMetadata().getCustomMetadata().get("vocabulary");
        if (words == null) throw new IllegalArgumentException("the model has no 'vocabulary' metadata entry");
        vocabulary = Vocabulary.parse(words);
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /**
     * One forward pass over the first {@code length} tokens, of which the model sees the last
     * {@link #CONTEXT_WINDOW}: the next-token logits and the hidden state. The window keeps a pass over a
     * megabyte-sized prompt as cheap as any other instead of hundreds of megabytes of embeddings per token.
     */
    public Output forward(long[] tokens, int length) throws OrtException {
        int from = Math.max(0, length - CONTEXT_WINDOW);
        long[] window = from == 0 ? tokens : Arrays.copyOfRange(tokens, from, length);
        int seen = length - from;
        try (OnnxTensor input = OnnxTensor.createTensor(env, LongBuffer.wrap(window, 0, seen), new long[]{seen});
             OrtSession.Result result = session.run(Map.of("tokens", input))) {
            float[] logits = ((OnnxTensor) result.get("logits").orElseThrow()).getFloatBuffer().array();
            float[] hidden = ((OnnxTensor) result.get("hidden").orElseThrow()).getFloatBuffer().array();
            return new Output(logits, hidden);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
