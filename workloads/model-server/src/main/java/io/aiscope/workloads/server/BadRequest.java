package io.aiscope.workloads.server;

/** A client error, answered with 400 and this message. */
final class BadRequest extends Exception {
    BadRequest(String message) {
        super(message);
    }
}
