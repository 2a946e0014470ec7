/*
 * Ceph's compiled crush map (CrushWrapper::encode / decode, Pacific 16.2, as crushtool -c writes
 * it and OSDMap embeds it). All integers little-endian; "map<K,V>" is a u32 count followed by
 * (K, V) pairs in ascending key order; "string" is a u32 byte length and the bytes.
 *
 *   u32 magic = 0x00010000
 *   s32 max_buckets          bucket slots; slot i holds bucket id -1-i
 *   u32 max_rules            rule slots; slot i holds rule id i
 *   s32 max_devices          1 + the largest device id named or used
 *   max_buckets times:
 *     u32 alg                0 = empty slot (nothing follows); 1 uniform, 2 list, 3 tree, 4 straw, 5 straw2
 *     s32 id, u16 type, u8 alg, u8 hash, u32 weight, u32 size, s32 items[size]
 *     uniform: u32 item_weight
 *     list:    size times (u32 item_weight, u32 sum_weight)
 *     tree:    u8 num_nodes, u32 node_weights[num_nodes]
 *     straw:   size times (u32 item_weight, u32 straw)
 *     straw2:  u32 item_weights[size]
 *   max_rules times:
 *     u32 exists             0 = empty slot
 *     u32 len, u8 ruleset (= rule id), u8 type, u8 min_size, u8 max_size,
 *     len times (u32 op, s32 arg1, s32 arg2)
 *   map<s32,string> type names, map<s32,string> item names, map<s32,string> rule names
 *   u32 choose_local_tries, u32 choose_local_fallback_tries, u32 choose_total_tries,
 *   u32 chooseleaf_descend_once, u8 chooseleaf_vary_r, u8 straw_calc_version,
 *   u32 allowed_bucket_algs, u8 chooseleaf_stable
 *   map<s32,s32> class_map (device or shadow bucket -> class id), map<s32,string> class_name,
 *   map<s32, map<s32,s32>> class_bucket (bucket -> class id -> shadow bucket)
 *   u32 number of choose_args maps, each: u64 index, u32 n, n times:
 *     u32 bucket slot, u32 positions, positions times (u32 size, u32 weights[size]),
 *     u32 ids_size, s32 ids[ids_size]
 *
 * Older encodings stop early (the tunables and what follows are optional, each group read only
 * if bytes remain), and some wrote 64-bit keys in the name maps (a zero string length is then the
 * upper half of the key): decode accepts both, as Ceph does.
 */
package io.loligo.crush.binary;

import io.loligo.crush.CrushMap;

/**
 * Ceph's compiled (binary) crush map format, Pacific (see the top of this file for the layout).
 * {@link #encode} writes what {@code crushtool -c} writes for the same map, byte for byte;
 * {@link #decode} reads such a map back into the model, shadow buckets and classes included.
 */
public final class CrushBinary {
    private CrushBinary() {}

    /** Reads a compiled map; anything truncated, corrupt or unsupported is a {@link CrushBinaryException}. */
    public static CrushMap decode(byte[] data) throws CrushBinaryException {
        if (data == null) {
            throw new CrushBinaryException(0, "no data (null)");
        }
        return BinaryDecoder.decode(data);
    }

    /**
     * Compiles a map as crushtool does: bucket slots grow 8, 16, 32... as Ceph's crush_add_bucket
     * grows them, list sums, tree node weights and straw lengths are derived from the item weights
     * with the map's straw_calc_version.
     *
     * @throws IllegalArgumentException if the map cannot be encoded (a bucket id that does not
     *     fit its slot, a name missing for a bucket, a rule id above 255)
     */
    public static byte[] encode(CrushMap map) {
        return BinaryEncoder.encode(map);
    }
}
