package dev.scheduler.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Replication of the keyspace the engine creates when {@link EngineSettings#createSchema()} is on.
 * Ignored when the keyspace already exists.
 */
public sealed interface Replication {

    /** The {@code replication} map of a {@code CREATE KEYSPACE} statement. */
    String toCql();

    /** SimpleStrategy with one replication factor: for a single node or a test cluster. */
    static Replication simple(int replicationFactor) {
        return new Simple(replicationFactor);
    }

    /** NetworkTopologyStrategy with a replication factor per datacenter: for production. */
    static Replication networkTopology(Map<String, Integer> factorsByDatacenter) {
        return new NetworkTopology(factorsByDatacenter);
    }

    /** SimpleStrategy. */
    record Simple(int replicationFactor) implements Replication {
        public Simple {
            if (replicationFactor < 1) {
                throw new IllegalArgumentException("replicationFactor must be at least 1, was " + replicationFactor);
            }
        }

        @Override
        public String toCql() {
            return "{'class': 'SimpleStrategy', 'replication_factor': " + replicationFactor + "}";
        }
    }

    /** NetworkTopologyStrategy. */
    record NetworkTopology(Map<String, Integer> factorsByDatacenter) implements Replication {
        public NetworkTopology {
            if (factorsByDatacenter == null || factorsByDatacenter.isEmpty()) {
                throw new IllegalArgumentException("factorsByDatacenter must name at least one datacenter");
            }
            factorsByDatacenter.forEach((dc, rf) -> {
                if (dc == null || !dc.matches("[A-Za-z0-9_.\\-]+")) {
                    throw new IllegalArgumentException("datacenter name '" + dc + "' is not a valid datacenter name");
                }
                if (rf == null || rf < 1) {
                    throw new IllegalArgumentException(
                            "replication factor of datacenter " + dc + " must be at least 1");
                }
            });
            factorsByDatacenter = Map.copyOf(new LinkedHashMap<>(factorsByDatacenter));
        }

        @Override
        public String toCql() {
            return factorsByDatacenter.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .map(e -> "'" + e.getKey() + "': " + e.getValue())
                    .collect(Collectors.joining(", ", "{'class': 'NetworkTopologyStrategy', ", "}"));
        }
    }
}
