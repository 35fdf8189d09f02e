package dev.scheduler.engine.internal.store;

import java.util.List;

/**
 * Rows read by one load, in key order, and the bound up to which everything is now loaded.
 */
public record LoadResult(List<StoredTask> rows, LoadBound loadedThrough) {}
