package dev.scheduler.engine.internal.store;

import dev.scheduler.client.TaskKey;
import java.util.ArrayList;
import java.util.List;

/** A load's rows so far, and the rows it set aside (status unknown): both count toward the load's limit. */
final class LoadedRows {
    final List<StoredTask> rows = new ArrayList<>();
    int setAside;
    /** The last key read, kept or set aside: where a load that reached its limit stops. */
    TaskKey last;

    int seen() {
        return rows.size() + setAside;
    }
}
