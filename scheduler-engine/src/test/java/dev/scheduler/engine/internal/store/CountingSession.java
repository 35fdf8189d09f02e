package dev.scheduler.engine.internal.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.DriverExecutionProfile;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.session.Request;
import com.datastax.oss.driver.api.core.tracker.RequestTracker;
import dev.scheduler.testkit.SchedulerInfrastructure;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A session that counts the requests it sent (each page of a read is one), for tests that bound a store's queries. */
record CountingSession(CqlSession session, AtomicLong count) implements AutoCloseable {

    static CountingSession open(SchedulerInfrastructure infra) {
        AtomicLong count = new AtomicLong();
        RequestTracker tracker = new RequestTracker() {
            @Override
            public void onSuccess(
                    Request request, long latencyNanos, DriverExecutionProfile profile, Node node, String prefix) {
                count.incrementAndGet();
            }

            @Override
            public void onError(
                    Request request,
                    Throwable error,
                    long latencyNanos,
                    DriverExecutionProfile profile,
                    Node node,
                    String prefix) {
                count.incrementAndGet();
            }

            @Override
            public void close() {}
        };
        CqlSession session = CqlSession.builder()
                .addContactPoint(infra.cassandraContactPoint())
                .withLocalDatacenter(infra.cassandraLocalDatacenter())
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                        .build())
                .addRequestTracker(tracker)
                .build();
        return new CountingSession(session, count);
    }

    long requests() {
        return count.get();
    }

    @Override
    public void close() {
        session.close();
    }
}
