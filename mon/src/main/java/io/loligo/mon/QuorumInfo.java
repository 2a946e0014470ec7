package io.loligo.mon;

import java.util.List;

/**
 * What one monitor knows of the quorum when it answers a query: the leader's name (null while
 * electing), the monitors in quorum (leader and followers it heard from recently), the Raft term
 * (Ceph's election epoch) and how long the current leader has led.
 */
public record QuorumInfo(String leader, List<String> quorum, long term, long leaderSinceMillis) {
    public static QuorumInfo unknown() {
        return new QuorumInfo(null, List.of(), 0, 0);
    }
}
