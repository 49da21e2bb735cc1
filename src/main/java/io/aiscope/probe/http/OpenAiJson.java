package io.aiscope.probe.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;

import java.io.IOException;

/**
 * Reads the fields of OpenAI requests and responses from JSON documents with Jackson's streaming parser, token by
 * token: a document cut short by the capture keeps every field completed before the cut. Several documents may
 * be read in turn (the head of a body, then its tail; SSE events); a field keeps the last value found, so a
 * stream's cumulative usage ends as its final count.
 * Only top-level fields and {@code usage}'s members are looked at.
 */
final class OpenAiJson {
    /**
     * Field names are not canonicalised: request bodies carry arbitrary keys (tool schemas), which would otherwise
     * fill the factory's shared symbol table.
     */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .build();

    String model;
    Boolean stream;
    Integer maxTokens;
    Integer maxCompletionTokens;
    Integer promptTokens;
    Integer completionTokens;

    private JsonParser parser;
    private ByteArrayFeeder feeder;
    private int depth;
    private String field;
    private String usageField;
    private boolean inUsage;
    private boolean openedChoices;
    private boolean complete;
    private boolean documentUsage;
    private boolean documentEmptyChoices;

    /** Starts a document fed in pieces by {@link #feed}. */
    void begin() {
        end();
        startDocument();
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

    /** Reads one whole document. */
    void read(byte[] b, int off, int len) {
        end();
        startDocument();
        try (JsonParser p = FACTORY.createParser(b, off, len)) {
            parser = p;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                token(t);
            }
        } catch (IOException | RuntimeException e) {
            // What was read before the error stays.
        } finally {
            parser = null;
        }
    }

    /** Releases the parser of the document being fed; its fields stay. */
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

    /** The last document's top-level object was read to its end. */
    boolean complete() {
        return complete;
    }

    /**
     * The last document was a stream's usage report rather than a token: a {@code usage} object and an empty
     * {@code choices} array (OpenAI's {@code stream_options.include_usage} chunk).
     */
    boolean usageOnly() {
        return documentUsage && documentEmptyChoices;
    }

    private void startDocument() {
        depth = 0;
        field = null;
        usageField = null;
        inUsage = false;
        openedChoices = false;
        complete = false;
        documentUsage = false;
        documentEmptyChoices = false;
    }

    private void token(JsonToken t) throws IOException {
        boolean justOpenedChoices = openedChoices;
        openedChoices = false;
        switch (t) {
            case FIELD_NAME -> {
                if (depth == 1) {
                    field = parser.currentName();
                } else if (depth == 2 && inUsage) {
                    usageField = parser.currentName();
                }
            }
            case START_OBJECT, START_ARRAY -> {
                if (depth == 1) {
                    inUsage = t == JsonToken.START_OBJECT && "usage".equals(field);
                    documentUsage |= inUsage;
                    openedChoices = t == JsonToken.START_ARRAY && "choices".equals(field);
                }
                depth++;
            }
            case END_OBJECT, END_ARRAY -> {
                depth--;
                if (depth == 1) {
                    documentEmptyChoices |= justOpenedChoices;
                    inUsage = false;
                } else if (depth == 0) {
                    complete = true;
                }
            }
            default -> {
                if (depth == 1) {
                    topLevel(t);
                } else if (depth == 2 && inUsage) {
                    usage(t);
                }
            }
        }
    }

    private void topLevel(JsonToken t) throws IOException {
        switch (field) {
            case "model" -> model = t == JsonToken.VALUE_STRING ? parser.getText() : null;
            case "stream" -> stream = t.isBoolean() ? t == JsonToken.VALUE_TRUE : null;
            case "max_tokens" -> maxTokens = integer(t);
            case "max_completion_tokens" -> maxCompletionTokens = integer(t);
            case null, default -> { }
        }
    }

    private void usage(JsonToken t) throws IOException {
        switch (usageField) {
            case "prompt_tokens" -> promptTokens = integer(t);
            case "completion_tokens" -> completionTokens = integer(t);
            case null, default -> { }
        }
    }

    private Integer integer(JsonToken t) throws IOException {
        return t == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT
                ? parser.getIntValue() : null;
    }
}
