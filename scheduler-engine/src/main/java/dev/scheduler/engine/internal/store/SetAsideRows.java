package dev.scheduler.engine.internal.store;

import com.datastax.oss.driver.api.core.cql.Row;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task rows whose status this engine does not know (written by a newer version, or by hand). Retrying them
 * cannot help, so they are set aside: not run, skipped by loads, their row left as it is for an operator;
 * each one met is logged at WARN with its key, and counted. Thread-safe.
 */
final class SetAsideRows {

    private static final Logger log = LoggerFactory.getLogger(CassandraTaskStore.class);

    private final AtomicLong count = new AtomicLong();

    void add(int partition, Row row) {
        log.warn(
                "partition {}: task {} has a status this engine does not know ('{}'); it is set aside: not run, "
                        + "not loaded, its row left as it is ({} rows set aside so far)",
                partition,
                Rows.key(row),
                row.getString("status"),
                count.incrementAndGet());
    }

    long count() {
        return count.get();
    }
}
