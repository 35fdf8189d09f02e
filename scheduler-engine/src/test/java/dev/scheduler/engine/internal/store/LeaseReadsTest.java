package dev.scheduler.engine.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LeaseReadsTest {

    private final List<Runnable> windows = new ArrayList<>();
    private final List<List<Integer>> queries = new ArrayList<>();
    private final List<CompletableFuture<Map<Integer, OwnerRow>>> answers = new ArrayList<>();
    private final LeaseReads reads = new LeaseReads(
            partitions -> {
                queries.add(partitions);
                CompletableFuture<Map<Integer, OwnerRow>> answer = new CompletableFuture<>();
                answers.add(answer);
                return answer;
            },
            windows::add);

    private static OwnerRow row(long epoch) {
        return new OwnerRow(epoch, "a", Instant.EPOCH, false);
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(1, TimeUnit.SECONDS);
    }

    @Test
    void renewals_asked_within_one_window_are_one_query_and_each_gets_its_own_row() throws Exception {
        CompletionStage<Optional<OwnerRow>> zero = reads.read(0);
        CompletionStage<Optional<OwnerRow>> one = reads.read(1);
        CompletionStage<Optional<OwnerRow>> two = reads.read(2);
        assertThat(windows).hasSize(1);
        assertThat(queries).isEmpty();

        windows.get(0).run();
        assertThat(queries).containsExactly(List.of(0, 1, 2));
        assertThat(zero.toCompletableFuture()).isNotDone();
        answers.get(0).complete(Map.of(0, row(7), 1, row(8)));

        assertThat(get(zero)).contains(row(7));
        assertThat(get(one)).contains(row(8));
        assertThat(get(two)).as("a partition without a row").isEmpty();
    }

    @Test
    void a_renewal_after_the_window_closed_waits_for_the_next_one() throws Exception {
        CompletionStage<Optional<OwnerRow>> first = reads.read(0);
        windows.get(0).run();
        CompletionStage<Optional<OwnerRow>> second = reads.read(0);
        assertThat(windows).as("a new window").hasSize(2);
        answers.get(0).complete(Map.of(0, row(1)));
        assertThat(get(first)).contains(row(1));
        assertThat(second.toCompletableFuture())
                .as("not answered by a read sent before it asked")
                .isNotDone();

        windows.get(1).run();
        answers.get(1).complete(Map.of(0, row(2)));
        assertThat(get(second)).contains(row(2));
    }

    @Test
    void a_failed_read_fails_every_renewal_in_it() {
        CompletionStage<Optional<OwnerRow>> zero = reads.read(0);
        CompletionStage<Optional<OwnerRow>> one = reads.read(1);
        windows.get(0).run();
        answers.get(0).completeExceptionally(new IllegalStateException("timed out"));
        for (CompletionStage<Optional<OwnerRow>> s : List.of(zero, one)) {
            assertThatThrownBy(() -> get(s))
                    .isInstanceOf(ExecutionException.class)
                    .hasRootCauseMessage("timed out");
        }
    }

    @Test
    void a_read_that_throws_at_once_fails_its_renewals_instead_of_leaving_them_unanswered() {
        LeaseReads throwing = new LeaseReads(
                partitions -> {
                    throw new IllegalStateException("session closed");
                },
                Runnable::run);
        assertThatThrownBy(() -> get(throwing.read(3))).hasRootCauseMessage("session closed");
    }

    @Test
    void many_partitions_are_split_into_queries_of_at_most_the_limit() throws Exception {
        int n = LeaseReads.MAX_PARTITIONS * 2 + 5;
        List<CompletionStage<Optional<OwnerRow>>> all =
                IntStream.range(0, n).mapToObj(reads::read).collect(Collectors.toList());
        windows.get(0).run();
        assertThat(queries).hasSize(3);
        assertThat(queries).allSatisfy(q -> assertThat(q).hasSizeLessThanOrEqualTo(LeaseReads.MAX_PARTITIONS));
        for (int i = 0; i < queries.size(); i++) {
            answers.get(i).complete(queries.get(i).stream().collect(Collectors.toMap(p -> p, p -> row(p))));
        }
        for (int p = 0; p < n; p++) {
            assertThat(get(all.get(p))).contains(row(p));
        }
    }
}
