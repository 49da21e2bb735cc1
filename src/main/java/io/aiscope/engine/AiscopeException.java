package io.aiscope.engine;

/** A condition the user must fix (privileges, a bad argument, a missing process); the CLI prints its message alone. */
public class AiscopeException extends RuntimeException {
    public AiscopeException(String message) {
        super(message);
    }
}
