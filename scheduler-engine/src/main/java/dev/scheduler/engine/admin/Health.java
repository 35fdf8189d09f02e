package dev.scheduler.engine.admin;

import java.util.List;

/**
 * Whether this instance is alive and ready, for Kubernetes probes.
 *
 * @param live the engine is started and its Kafka poll thread runs
 * @param ready live, the poll loop's last poll succeeded, every partition it owns is healthy (its Cassandra
 *     calls succeed and its actors are not starting or stopping), and stuck attempts hold less than half of the
 *     execution threads
 * @param problems what keeps it from being live or ready, one sentence each; empty when ready
 * @param warnings what an operator should look at although it does not make the instance unready, one sentence
 *     each: for example attempts stuck after their timeout, by key
 */
public record Health(boolean live, boolean ready, List<String> problems, List<String> warnings) {

    public Health {
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
    }

    /** A health without warnings. */
    public Health(boolean live, boolean ready, List<String> problems) {
        this(live, ready, problems, List.of());
    }
}
