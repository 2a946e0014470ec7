/**
 * The S3 gateway: an HTTP service whose every piece of state (users, buckets, indexes, objects)
 * lives in RADOS, reached through the client library only. See ARCHITECTURE.md.
 */
package io.loligo.rgw;
