package io.aiscope.workloads.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Finds server-sent events in a body fed one byte at a time, whatever the chunk boundaries: an event ends at a
 * blank line; its data is its {@code data:} lines. {@code [DONE]} marks the end and is not counted as an event.
 */
final class SseParser {
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final StringBuilder data = new StringBuilder();
    private int events;
    private boolean done;
    private String lastData;

    /** Takes one body byte; true when it completed an event (not {@code [DONE]}). */
    boolean accept(int b) {
        if (b != '\n') {
            line.write(b);
            return false;
        }
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.endsWith("\r")) text = text.substring(0, text.length() - 1);
        if (!text.isEmpty()) {
            if (text.startsWith("data:")) {
                if (!data.isEmpty()) data.append('\n');
                data.append(text.startsWith("data: ") ? text.substring(6) : text.substring(5));
            }
            return false;
        }
        if (data.isEmpty()) return false;
        String event = data.toString();
        data.setLength(0);
        if (event.equals("[DONE]")) {
            done = true;
            return false;
        }
        events++;
        lastData = event;
        return true;
    }

    int events() {
        return events;
    }

    boolean done() {
        return done;
    }

    /** The data of the last event before {@code [DONE]}: with include_usage, the usage chunk. */
    String lastData() {
        return lastData;
    }
}
