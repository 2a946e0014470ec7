/** The OSD's local object store: metadata in RocksDB, data in a self-managed block file. */
package io.loligo.osd.objectstore;
