package io.loligo.client;

/** One pool's usage as the monitors' {@code df} reports it (bytes stored once, raw bytes used, objects). */
public record PoolStats(String name, int id, long storedBytes, long objects, long usedBytes, long maxAvailBytes) {}
