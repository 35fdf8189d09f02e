package dev.scheduler.engine.internal;

import java.util.List;

/**
 * Rows read by one load, in key order, and the bound up to which everything is now loaded.
 */
record LoadResult(List<StoredTask> rows, LoadBound loadedThrough) {
}
