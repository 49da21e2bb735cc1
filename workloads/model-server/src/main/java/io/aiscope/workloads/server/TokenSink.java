package io.aiscope.workloads.server;

/** Where a generation's tokens go: a collected response, an event stream, or a hand-off to another thread. */
interface TokenSink {
    /** Takes the next token; false when the client is gone and generation should stop. */
    boolean token(String text, boolean last);

    /** After the last token. */
    void finished(Usage usage);

    /** Generation failed; no more calls follow. */
    void failed(Exception e);
}
