package io.aiscope.workloads.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.LongBuffer;
import java.util.Map;

/**
 * The tiny language model in an ONNX Runtime session on the CPU, one thread for everything: the server runs
 * inference on one thread, as a server with one accelerator would, and a pool inside ONNX Runtime would blur
 * which thread does the work.
 */
public final class TinyLm implements AutoCloseable {
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

    /** One forward pass over the first {@code length} tokens: the next-token logits and the hidden state. */
    public Output forward(long[] tokens, int length) throws OrtException {
        try (OnnxTensor input = OnnxTensor.createTensor(env, LongBuffer.wrap(tokens, 0, length), new long[]{length});
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
