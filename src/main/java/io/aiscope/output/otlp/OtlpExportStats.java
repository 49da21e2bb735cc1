package io.aiscope.output.otlp;

/**
 * What became of the spans aiscope built (one per request, one per phase of it).
 *
 * @param spans     spans built
 * @param exported  spans the receiver accepted
 * @param failed    spans in batches the receiver refused or never got (unreachable, timed out, HTTP error)
 * @param dropped   spans refused because the export queue was full (receiver too slow or away), or built after
 *                  the exporter was closed
 * @param lastError the exporter's last complaint, null if none
 */
public record OtlpExportStats(long spans, long exported, long failed, long dropped, String lastError) {
    /** Spans still queued or on their way; after {@code close()}, those its bounded wait gave up on. */
    public long pending() {
        return spans - exported - failed - dropped;
    }
}
