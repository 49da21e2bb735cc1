package io.aiscope.probe.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;

import java.io.IOException;

/**
 * Walks JSON documents with Jackson's streaming parser, token by token, telling a {@link Handler} each value and
 * container with its {@link JsonPath}: a document cut short by the capture yields every value completed before
 * the cut. Several documents may be walked in turn (the head of a body, then its tail; SSE events). Malformed
 * input ends the document where it stops being JSON; nothing is thrown.
 */
final class JsonWalker {
    /**
     * Field names are not canonicalised: request bodies carry arbitrary keys (tool schemas), which would otherwise
     * fill the factory's shared symbol table.
     */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .build();

    interface Handler {
        /** A document begins; {@code tail}: it is the end of a body whose start was walked before. */
        void startDocument(boolean tail);

        /** A scalar at {@code path} (a string, number, boolean or null): the parser's current token. */
        void value(long path, JsonToken t, JsonParser p) throws IOException;

        /** An object or array opens at {@code path}. */
        void open(long path, JsonToken t);
    }

    static final int MAX_STRING = 256;

    private final Handler handler;
    private final long[] containers = new long[JsonPath.MAX_DEPTH];
    private final boolean[] arrays = new boolean[JsonPath.MAX_DEPTH];
    private JsonParser parser;
    private ByteArrayFeeder feeder;
    /** Containers open; those beyond {@link JsonPath#MAX_DEPTH} are counted only. */
    private int depth;
    private long fieldPath;
    private boolean complete;

    JsonWalker(Handler handler) {
        this.handler = handler;
    }

    /** Starts a document fed in pieces by {@link #feed}. */
    void begin(boolean tail) {
        end();
        startDocument(tail);
        try {
            parser = FACTORY.createNonBlockingByteArrayParser();
            feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
        } catch (IOException e) {
            // Declared, not thrown by a byte-array parser: the document is then not read.
        }
    }

    /** The next bytes of the document begun last; ignored once it is complete or turned out not to be JSON. */
    void feed(byte[] b, int off, int len) {
        if (parser == null || len == 0) {
            return;
        }
        try {
            feeder.feedInput(b, off, off + len);
            JsonToken t;
            while (!complete && (t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
                token(t);
            }
            if (complete) {
                end();
            }
        } catch (IOException | RuntimeException e) {
            end();
        }
    }

    /** Walks one whole document. */
    void read(byte[] b, int off, int len) {
        end();
        startDocument(false);
        try (JsonParser p = FACTORY.createParser(b, off, len)) {
            parser = p;
            JsonToken t;
            while (!complete && (t = p.nextToken()) != null) {
                token(t);
            }
        } catch (IOException | RuntimeException e) {
            // What was walked before the error stands.
        } finally {
            parser = null;
        }
    }

    /** Releases the parser of the document being fed. */
    void end() {
        if (parser != null) {
            try {
                parser.close();
            } catch (IOException e) {
                // Nothing held but recycled buffers.
            }
            parser = null;
            feeder = null;
        }
    }

    /** The last document's root value was read to its end. */
    boolean complete() {
        return complete;
    }

    /**
     * The string value at the parser, or null for another value or a string longer than
     * {@value #MAX_STRING} characters: names and types are short, and a long one is garbage not worth keeping.
     */
    static String string(JsonToken t, JsonParser p) throws IOException {
        return t == JsonToken.VALUE_STRING && p.getTextLength() <= MAX_STRING ? p.getText() : null;
    }

    /** The int value at the parser, or null for another value. */
    static Integer integer(JsonToken t, JsonParser p) throws IOException {
        return t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
                ? p.getIntValue() : null;
    }

    private void startDocument(boolean tail) {
        depth = 0;
        fieldPath = JsonPath.NONE;
        complete = false;
        handler.startDocument(tail);
    }

    private void token(JsonToken t) throws IOException {
        switch (t) {
            case FIELD_NAME -> {
                long parent = parent();
                fieldPath = parent == JsonPath.NONE ? JsonPath.NONE
                        : JsonPath.child(parent, JsonPath.key(parser.currentName()));
            }
            case START_OBJECT, START_ARRAY -> {
                long path = valuePath();
                handler.open(path, t);
                if (depth < JsonPath.MAX_DEPTH) {
                    containers[depth] = path;
                    arrays[depth] = t == JsonToken.START_ARRAY;
                }
                depth++;
            }
            case END_OBJECT, END_ARRAY -> {
                depth--;
                complete = depth == 0;
            }
            default -> {
                handler.value(valuePath(), t, parser);
                complete = depth == 0;
            }
        }
    }

    /** Path of the innermost open container; none when it is too deep to be tracked. */
    private long parent() {
        return depth <= JsonPath.MAX_DEPTH ? containers[depth - 1] : JsonPath.NONE;
    }

    private long valuePath() {
        if (depth == 0) {
            return JsonPath.ROOT;
        }
        if (depth > JsonPath.MAX_DEPTH) {
            return JsonPath.NONE;
        }
        return arrays[depth - 1] ? JsonPath.child(containers[depth - 1], JsonPath.ITEM) : fieldPath;
    }
}
