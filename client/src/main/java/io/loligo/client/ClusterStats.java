package io.loligo.client;

/** Raw capacity of the cluster as the monitors' {@code df} reports it. */
public record ClusterStats(long totalBytes, long usedBytes, long availBytes, long objects) {}
