package dev.scheduler.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Assertions on futures that are expected to fail. */
public final class Futures {

    private Futures() {}

    /** The exception {@code future} failed with, waiting at most 30 s for it. */
    public static Throwable failureOf(CompletableFuture<?> future) {
        Throwable thrown = catchThrowable(() -> future.get(30, TimeUnit.SECONDS));
        assertThat(thrown).as("the future should have failed").isInstanceOf(ExecutionException.class);
        return thrown.getCause();
    }
}
