package io.loligo.crush.text;

import io.loligo.crush.CrushMap;

/**
 * Ceph's text crush map format: what {@code crushtool -d} prints and {@code crushtool -c} reads
 * (Pacific). {@link #parse} compiles text into a {@link CrushMap} exactly as Ceph would (ids,
 * 16.16 weights, device-class shadow trees); {@link #print} writes the canonical text, byte for
 * byte what crushtool prints for the same map.
 *
 * <p>The format, in file order: {@code tunable NAME N} lines (absent ones keep the legacy
 * values); {@code device N NAME [class C]}; {@code type N NAME}; buckets
 * {@code TYPE NAME { id -N; id -M class C...; alg A; hash 0; item NAME weight W [pos P]... }} (a
 * bucket must come after every bucket it holds); rules
 * {@code rule [NAME] { id N; type replicated|erasure; min_size N; max_size N; step ... }}; then
 * {@code choose_args N { { bucket_id -N weight_set [ [ W... ]... ] ids [ N... ] }... }}. {@code #}
 * starts a comment.
 */
public final class CrushText {
    private CrushText() {}

    /** Compiles a text crush map; any problem is a {@link CrushParseException} with line and column. */
    public static CrushMap parse(String text) throws CrushParseException {
        if (text == null) {
            throw new CrushParseException(1, 1, "no crush map text (null)");
        }
        return MapCompiler.compile(SyntaxParser.parse(text));
    }

    /**
     * The canonical text of a map, as {@code crushtool -d} prints it.
     *
     * @throws IllegalArgumentException if the buckets form a cycle (a map made by {@link #parse} never does)
     */
    public static String print(CrushMap map) {
        return CrushTextPrinter.print(map);
    }
}
