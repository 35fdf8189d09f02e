package dev.scheduler.engine.internal.store;

import java.util.concurrent.CompletionStage;

/** Claims as an engine makes them, for the store's tests. */
public final class Claims {

    private Claims() {}

    /** A claim of the owner row's epoch as read just before (as {@code PartitionStartup} decides on a row). */
    public static CompletionStage<Claim> claimAsRead(TaskStore store, int partition, String owner) {
        return store.readOwner(partition)
                .thenCompose(row ->
                        store.claim(partition, owner, row.map(OwnerRow::epoch).orElse(TaskStore.NO_OWNER_ROW)));
    }
}
