/**
 * The benchmark harness of issue 7: {@link dev.scheduler.examples.bench.Benchmark} runs ingest, throughput,
 * lateness, lateness under load and backlog scenarios against real Kafka and Cassandra, and writes a JSON file per
 * run. Not a library: nothing here is API. See {@code docs/performance.md} for how to run it and the figures.
 */
package dev.scheduler.examples.bench;
