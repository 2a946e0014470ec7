package io.loligo.crush.text;

import java.util.List;

/**
 * The parse tree of a text crush map, one record per construct of Ceph's grammar
 * ({@code src/crush/grammar.h}); every value keeps its {@link Token} so that semantic errors can
 * point at the word that caused them.
 */
final class Syntax {
    private Syntax() {}

    /** The whole map: header lines, then buckets and rules in file order, then choose_args blocks. */
    record CrushFile(List<Tunable> tunables, List<Device> devices, List<Type> types, List<Decl> body,
            List<ChooseArgs> chooseArgs) {}

    record Tunable(Token name, Token value) {}

    record Device(Token id, Token name, Token deviceClass) {}

    record Type(Token id, Token name) {}

    /** A bucket or a rule: the two may interleave in the file. */
    sealed interface Decl permits Bucket, Rule {}

    /** {@code id -6 [class hdd]}; {@code deviceClass} is null for the bucket's own id. */
    record BucketId(Token keyword, Token id, Token deviceClass) {}

    /** {@code item NAME [weight W] [pos P]}; weight and pos are null when absent. */
    record Item(Token name, Token weight, Token pos) {}

    record Bucket(Token type, Token name, List<BucketId> ids, Token alg, List<Token> hashes, List<Item> items)
            implements Decl {}

    /** One {@code step}: its operation word(s) and arguments, e.g. take [default, class, ssd]. */
    record Step(Token keyword, Token op, List<Token> args) {}

    record Rule(Token keyword, Token name, Token id, Token type, Token minSize, Token maxSize, List<Step> steps)
            implements Decl {}

    /** {@code { bucket_id -1 [weight_set [ [ w ... ] ... ]] [ids [ i ... ]] }}. */
    record ChooseArg(Token bucketId, Token weightSetKeyword, List<List<Token>> weightSet, Token idsKeyword,
            List<Token> ids) {}

    record ChooseArgs(Token keyword, Token index, List<ChooseArg> args) {}
}
