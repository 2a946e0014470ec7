/** Message types between clients and OSDs and between OSDs (Ceph's src/messages): ops, replies, replication, peering. */
package io.loligo.messages;
