package io.aiscope.workloads.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * Builds an ONNX model file (a serialized {@code onnx.ModelProto}) from a single graph: nodes, float and int64
 * initializers, typed inputs and outputs. Field numbers are those of onnx/onnx.proto; only what a small
 * feed-forward graph needs is encoded. Tensors are stored as little-endian {@code raw_data}, as ONNX requires.
 */
public final class OnnxModelBuilder {
    /** {@code TensorProto.DataType} values. */
    public static final int FLOAT = 1;
    public static final int INT64 = 7;

    private static final long IR_VERSION = 8;  // ONNX 1.10+, read by every current ONNX Runtime

    private final ProtoWriter graph = new ProtoWriter();

    /** One dimension of an input or output: a fixed size, or a named symbolic one. */
    public record Dim(long size, String name) {
        public static Dim of(long size) { return new Dim(size, null); }
        public static Dim named(String name) { return new Dim(0, name); }
    }

    /** A node attribute: an int, or a list of ints (the only kinds this builder's graphs use). */
    public record Attribute(String name, long value, long[] values) {
        private static final int INT = 2;
        private static final int INTS = 7;

        public static Attribute integer(String name, long value) { return new Attribute(name, value, null); }
        public static Attribute ints(String name, long... values) { return new Attribute(name, 0, values); }

        ProtoWriter encode() {
            ProtoWriter a = new ProtoWriter().string(1, name);
            if (values == null) return a.varint(3, value).varint(20, INT);
            for (long v : values) a.varint(8, v);
            return a.varint(20, INTS);
        }
    }

    public OnnxModelBuilder(String graphName) {
        graph.string(2, graphName);
    }

    public OnnxModelBuilder node(String opType, List<String> inputs, List<String> outputs, Attribute... attributes) {
        ProtoWriter n = new ProtoWriter();
        inputs.forEach(i -> n.string(1, i));
        outputs.forEach(o -> n.string(2, o));
        n.string(3, outputs.getFirst()).string(4, opType);
        for (Attribute a : attributes) n.message(5, a.encode());
        graph.message(1, n);
        return this;
    }

    public OnnxModelBuilder initializer(String name, long[] dims, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return initializer(name, dims, FLOAT, raw.array());
    }

    public OnnxModelBuilder initializer(String name, long[] dims, long[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        return initializer(name, dims, INT64, raw.array());
    }

    public OnnxModelBuilder input(String name, int elemType, Dim... shape) {
        graph.message(11, valueInfo(name, elemType, shape));
        return this;
    }

    public OnnxModelBuilder output(String name, int elemType, Dim... shape) {
        graph.message(12, valueInfo(name, elemType, shape));
        return this;
    }

    /** The whole file: IR version, one default-domain opset import, producer, graph and metadata entries. */
    public byte[] build(String producer, long opsetVersion, Map<String, String> metadata) {
        ProtoWriter model = new ProtoWriter()
                .varint(1, IR_VERSION)
                .string(2, producer)
                .message(7, graph)
                .message(8, new ProtoWriter().string(1, "").varint(2, opsetVersion));
        metadata.forEach((k, v) -> model.message(14, new ProtoWriter().string(1, k).string(2, v)));
        return model.toByteArray();
    }

    private OnnxModelBuilder initializer(String name, long[] dims, int dataType, byte[] raw) {
        graph.message(5, new ProtoWriter()
                .packedVarints(1, dims)
                .varint(2, dataType)
                .string(8, name)
                .bytes(9, raw));
        return this;
    }

    private static ProtoWriter valueInfo(String name, int elemType, Dim... shape) {
        ProtoWriter dims = new ProtoWriter();
        for (Dim d : shape) {
            dims.message(1, d.name() == null ? new ProtoWriter().varint(1, d.size()) : new ProtoWriter().string(2, d.name()));
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, elemType).message(2, dims);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }
}
