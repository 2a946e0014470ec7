package io.loligo.client;

import io.loligo.messages.Eversion;

/** An object's size in bytes, modification time (ms since the epoch) and version. */
public record ObjectStat(long size, long mtimeMillis, Eversion version) {}
