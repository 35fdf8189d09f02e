package dev.scheduler.engine.admin;

import java.util.List;

/**
 * Whether this instance is alive and ready, for Kubernetes probes.
 *
 * @param live the engine is started and its Kafka poll thread runs
 * @param ready live, the poll loop's last poll succeeded, and every partition it owns is healthy (its Cassandra
 *     calls succeed and its actors are not starting or stopping)
 * @param problems what keeps it from being live or ready, one sentence each; empty when ready
 */
public record Health(boolean live, boolean ready, List<String> problems) {

    public Health {
        problems = List.copyOf(problems);
    }
}
