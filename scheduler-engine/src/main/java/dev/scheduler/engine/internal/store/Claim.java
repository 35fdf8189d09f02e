package dev.scheduler.engine.internal.store;

/**
 * The outcome of a successful claim of a partition.
 *
 * @param mine the row this instance wrote
 * @param previous the row it replaced ({@link OwnerRow#NONE} when there was none)
 */
public record Claim(OwnerRow mine, OwnerRow previous) {}
