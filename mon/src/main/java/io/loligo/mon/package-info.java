/** The monitors: a Ratis quorum owning the cluster maps (monmap, osdmap, pg summary, config, auth). */
package io.loligo.mon;
