package io.aiscope.agents;

import java.util.List;

/**
 * One LLM call and what its process tree did after it: the chain an output shows.
 *
 * @param effectsLeftOut effects beyond the per-call bound, counted but not listed
 */
public record AgentTurn(ObservedCall call, List<Effect> effects, int effectsLeftOut) {
}
