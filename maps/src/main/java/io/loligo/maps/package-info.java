/** The cluster maps (MonMap, OsdMap with pools and incrementals, PG summary) shared by mon, osd and client. */
package io.loligo.maps;
