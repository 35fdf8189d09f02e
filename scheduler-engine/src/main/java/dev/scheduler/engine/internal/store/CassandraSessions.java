package dev.scheduler.engine.internal.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/** Opens the engine's own Cassandra session when the application does not pass one. */
public final class CassandraSessions {

    private CassandraSessions() {}

    /**
     * A session with the driver's defaults except: a 10 s request timeout, a 5 s connection init timeout,
     * 4096 requests in flight per connection, reconnection from 0.5 s to 5 s, and a 50 ms schema window so that
     * tables created at start are usable at once. Blocking.
     */
    public static CqlSession open(List<InetSocketAddress> contactPoints, String localDatacenter) {
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(50))
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5))
                .withInt(DefaultDriverOption.CONNECTION_MAX_REQUESTS, 4096)
                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(500))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(5))
                .build();
        return CqlSession.builder()
                .addContactPoints(contactPoints)
                .withLocalDatacenter(localDatacenter)
                .withConfigLoader(config)
                .build();
    }
}
