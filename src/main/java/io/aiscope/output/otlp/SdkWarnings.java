package io.aiscope.output.otlp;

import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Keeps the OpenTelemetry SDK's last warning instead of letting it print: the SDK logs every failed export with
 * a stack trace through java.util.logging, which would land on the terminal the traced command writes to. Its
 * messages are the best account of why an export failed ("Server responded with HTTP status code 404…"), so the
 * last one is kept for {@link OtlpExportStats#lastError()}.
 */
final class SdkWarnings extends Handler {
    // Held here because java.util.logging keeps loggers only weakly: a collected logger would lose this setup.
    private static final Logger SDK = Logger.getLogger("io.opentelemetry");
    private static final Formatter MESSAGE = new SimpleFormatter();

    private volatile String last;

    static SdkWarnings install() {
        SdkWarnings warnings = new SdkWarnings();
        warnings.setLevel(Level.WARNING);
        SDK.addHandler(warnings);
        SDK.setUseParentHandlers(false);
        return warnings;
    }

    String last() {
        return last;
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        String message = MESSAGE.formatMessage(record);
        Throwable cause = unwrap(record.getThrown());
        last = cause == null ? message : message + " (" + cause + ")";
    }

    /** The failure inside the asynchronous plumbing: "java.net.ConnectException", not a CompletionException. */
    private static Throwable unwrap(Throwable thrown) {
        Throwable t = thrown;
        while (t != null && t.getCause() != null && (t instanceof CompletionException
                || t instanceof ExecutionException || t instanceof UncheckedIOException)) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public void flush() {
    }

    /** Gives the SDK's messages back to the console handler. */
    @Override
    public void close() {
        SDK.removeHandler(this);
        SDK.setUseParentHandlers(SDK.getHandlers().length == 0);
    }
}
