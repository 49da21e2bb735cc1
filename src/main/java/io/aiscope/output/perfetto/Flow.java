package io.aiscope.output.perfetto;

/**
 * One end of a flow arrow, bound to the slice whose event carries it ({@code bind_id} with {@code flow_out} or
 * {@code flow_in}). The binding is by the event itself rather than by timestamp, as {@code "s"}/{@code "f"} events
 * are: those attach to whichever slice is innermost at their moment, which for a request is one of its phases, and
 * they cannot attach to an async slice at all.
 */
record Flow(long id, boolean out) {
    static Flow out(long id) {
        return new Flow(id, true);
    }

    static Flow in(long id) {
        return new Flow(id, false);
    }
}
