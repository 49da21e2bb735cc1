package io.aiscope.engine;

import io.aiscope.symbols.AddressResolver;

import java.util.List;
import java.util.Map;

/**
 * How aiscope itself fared: events read and lost, what attached, what could not; {@code readerError} says why
 * the event reader stopped early (null while it runs), since events after that are neither seen nor counted.
 */
public record AgentStats(long events, Map<String, Long> droppedByFamily, long undecodable, long attachNs,
                         List<AttachedLibrary> libraries, Map<String, String> librariesWithoutSymbols,
                         Map<String, String> unavailable, List<String> warnings,
                         AddressResolver.Failures symbolFailures, String readerError) {
    public long dropped() {
        return droppedByFamily.values().stream().mapToLong(Long::longValue).sum();
    }
}
