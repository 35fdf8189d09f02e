package dev.scheduler.engine.internal.store;

import dev.scheduler.client.TaskKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A load's rows so far, and the rows it set aside (status unknown): both count toward the load's limit. */
final class LoadedRows {
    final List<StoredTask> rows = new ArrayList<>();
    int setAside;
    /** The last key read, kept or set aside: where a load that reached its limit stops. */
    TaskKey last;

    /** Rewrites of finished rows met whose data would outlive their status ({@link Expiry}). */
    final List<CompletionStage<Void>> expiring = new ArrayList<>();

    /** Completes once every rewrite begun so far has (call it when the load has read its last row). */
    CompletableFuture<Void> expired() {
        return CompletableFuture.allOf(
                expiring.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new));
    }

    int seen() {
        return rows.size() + setAside;
    }
}
