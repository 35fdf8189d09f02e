package dev.scheduler.engine.admin;

import java.util.List;

/**
 * One page of {@link AdminService#deadLetters}.
 *
 * @param records by partition, then offset
 * @param nextPageToken for the next page, or null when every partition was read
 */
public record DeadLetterPage(List<DeadLetterRecord> records, String nextPageToken) {

    public DeadLetterPage {
        records = List.copyOf(records);
    }
}
