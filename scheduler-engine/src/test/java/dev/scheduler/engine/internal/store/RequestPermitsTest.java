package dev.scheduler.engine.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RequestPermitsTest {

    @Test
    void no_more_than_the_limit_is_in_flight_and_the_rest_go_in_their_order_as_answers_come() {
        RequestPermits permits = new RequestPermits(2);
        List<CompletableFuture<Integer>> sent = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        List<CompletableFuture<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            answers.add(permits.send(() -> {
                order.add(n);
                CompletableFuture<Integer> f = new CompletableFuture<>();
                sent.add(f);
                return f;
            }));
        }
        assertThat(order).containsExactly(0, 1);
        assertThat(permits.inFlight()).isEqualTo(2);
        assertThat(permits.waiting()).isEqualTo(3);

        sent.get(1).complete(1);
        assertThat(answers.get(1)).isCompletedWithValue(1);
        assertThat(order).containsExactly(0, 1, 2);
        sent.get(0).completeExceptionally(new IllegalStateException("timed out"));
        assertThat(answers.get(0)).isCompletedExceptionally();
        assertThat(order).as("a failure frees its permit too").containsExactly(0, 1, 2, 3);
        sent.get(2).complete(2);
        sent.get(3).complete(3);
        sent.get(4).complete(4);
        assertThat(order).containsExactly(0, 1, 2, 3, 4);
        assertThat(permits.inFlight()).isZero();
        assertThat(permits.waiting()).isZero();
    }

    @Test
    void a_long_queue_of_requests_answered_at_once_is_sent_without_growing_the_stack() {
        RequestPermits permits = new RequestPermits(1);
        CompletableFuture<Void> first = new CompletableFuture<>();
        permits.send(() -> first);
        AtomicInteger sent = new AtomicInteger();
        List<CompletableFuture<Void>> answers = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            answers.add(permits.send(() -> {
                sent.incrementAndGet();
                return CompletableFuture.failedFuture(new IllegalStateException("session closed"));
            }));
        }
        first.complete(null); // frees the permit: the queue is sent, each failing at once
        assertThat(sent.get()).isEqualTo(100_000);
        assertThat(answers).allMatch(CompletableFuture::isCompletedExceptionally);
        assertThat(permits.inFlight()).isZero();
    }

    @Test
    void a_request_that_throws_fails_its_answer_and_frees_its_permit() {
        RequestPermits permits = new RequestPermits(1);
        CompletableFuture<Object> answer = permits.send(() -> {
            throw new IllegalStateException("driver closed");
        });
        assertThat(answer).isCompletedExceptionally();
        assertThat(permits.inFlight()).isZero();
        assertThat(permits.send(() -> CompletableFuture.completedFuture(7))).isCompletedWithValue(7);
    }

    @Test
    void a_limit_below_one_is_refused() {
        assertThatThrownBy(() -> new RequestPermits(0)).hasMessageContaining("at least one");
    }
}
