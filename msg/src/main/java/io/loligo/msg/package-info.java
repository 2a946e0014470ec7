/** The Messenger: length-prefixed, CRC32C-checked, authenticated frames over TCP. */
package io.loligo.msg;
