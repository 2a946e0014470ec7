/** The client library: Cluster, IoContext, the objecter (placement, resend on newer epochs) and the striper. */
package io.loligo.client;
