/** The multi-host test harness and the fault-injection scenarios (issue: chaos suite). */
package io.loligo.cluster;
