package io.loligo.crush.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Recursive-descent parser for Ceph's crush map grammar (Pacific, {@code src/crush/grammar.h}):
 * <pre>
 * crushmap = *(tunable | device | type) *(bucket | rule) *choose_args
 * tunable  = "tunable" name posint
 * device   = "device" posint name ["class" name]
 * type     = "type" posint name
 * bucket   = name name "{" *("id" negint ["class" name]) "alg" name *("hash" (int | "rjenkins1"))
 *            *("item" name ["weight" real] ["pos" posint]) "}"
 * rule     = "rule" [name] "{" ("id" | "ruleset") posint "type" ("replicated" | "erasure")
 *            "min_size" posint "max_size" posint +("step" step) "}"
 * step     = "take" name ["class" name] | "set_choose_tries" posint | ... | "emit"
 *          | ("choose" | "chooseleaf") ("firstn" | "indep") int "type" name
 * choose_args = "choose_args" posint "{" *("{" "bucket_id" negint
 *            ["weight_set" "[" *("[" *real "]") "]"] ["ids" "[" *int "]"] "}") "}"
 * </pre>
 * Only the shape is checked here (and that numbers and names are well formed); what the words
 * mean is checked by {@link MapCompiler}.
 */
final class SyntaxParser {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern POSINT = Pattern.compile("[0-9]+");
    private static final Pattern NEGINT = Pattern.compile("-[0-9]+");
    private static final Pattern INT = Pattern.compile("-?[0-9]+");
    /** Spirit's real_p: optional sign, digits with optional fraction (or a fraction alone), optional exponent. */
    private static final Pattern REAL = Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");
    private static final Set<String> ONE_ARG_STEPS = Set.of("set_choose_tries", "set_choose_local_tries",
            "set_choose_local_fallback_tries", "set_chooseleaf_tries", "set_chooseleaf_vary_r",
            "set_chooseleaf_stable");

    private final List<Token> tokens;
    private final Token end;
    private int pos;

    private SyntaxParser(List<Token> tokens, Token end) {
        this.tokens = tokens;
        this.end = end;
    }

    static Syntax.CrushFile parse(String text) throws CrushParseException {
        return new SyntaxParser(Lexer.tokenize(text), Lexer.end(text)).crushFile();
    }

    private Syntax.CrushFile crushFile() throws CrushParseException {
        List<Syntax.Tunable> tunables = new ArrayList<>();
        List<Syntax.Device> devices = new ArrayList<>();
        List<Syntax.Type> types = new ArrayList<>();
        while (!atEnd() && isHeaderLine()) {
            Token keyword = next();
            switch (keyword.text()) {
                case "tunable" -> tunables.add(new Syntax.Tunable(expectName("tunable name"), expect(POSINT,
                        "a non-negative integer tunable value")));
                case "device" -> devices.add(device());
                default -> types.add(new Syntax.Type(expect(POSINT, "a non-negative type id"),
                        expectName("type name")));
            }
        }
        List<Syntax.Decl> body = new ArrayList<>();
        while (!atEnd() && !peek().is("choose_args")) {
            Token t = peek();
            if (t.is("tunable") || t.is("device") || (t.is("type") && !peekAt(2).is("{"))) {
                throw t.error("'" + t.text() + "' lines must come before all buckets and rules");
            }
            body.add(t.is("rule") ? rule() : bucket());
        }
        List<Syntax.ChooseArgs> chooseArgs = new ArrayList<>();
        while (!atEnd()) {
            Token t = peek();
            if (!t.is("choose_args")) {
                throw t.error("expected 'choose_args' but found " + t
                        + ": only choose_args blocks may follow them");
            }
            chooseArgs.add(chooseArgs());
        }
        return new Syntax.CrushFile(tunables, devices, types, body, chooseArgs);
    }

    /** tunable/device/type, unless it is a bucket whose type happens to be named like the keyword. */
    private boolean isHeaderLine() {
        Token t = peek();
        boolean keyword = t.is("tunable") || t.is("device") || t.is("type");
        return keyword && !peekAt(2).is("{");
    }

    private Syntax.Device device() throws CrushParseException {
        Token id = expect(POSINT, "a non-negative device id");
        Token name = expectName("device name");
        Token deviceClass = null;
        if (!atEnd() && peek().is("class")) {
            next();
            deviceClass = expectName("device class name");
        }
        return new Syntax.Device(id, name, deviceClass);
    }

    private Syntax.Bucket bucket() throws CrushParseException {
        Token type = expectName("a bucket type name (or 'rule', 'choose_args')");
        Token name = expectName("bucket name");
        expectWord("{");
        List<Syntax.BucketId> ids = new ArrayList<>();
        while (!atEnd() && peek().is("id")) {
            Token keyword = next();
            Token id = expect(NEGINT, "a negative bucket id");
            Token deviceClass = null;
            if (!atEnd() && peek().is("class")) {
                next();
                deviceClass = expectName("device class name");
            }
            ids.add(new Syntax.BucketId(keyword, id, deviceClass));
        }
        Token algKeyword = peekOrEnd();
        if (!algKeyword.is("alg")) {
            throw algKeyword.error("expected 'alg' in bucket '" + name.text() + "' but found " + describe(algKeyword)
                    + " (order inside a bucket: id lines, alg, hash, items)");
        }
        next();
        Token alg = expectName("bucket algorithm");
        List<Token> hashes = new ArrayList<>();
        while (!atEnd() && peek().is("hash")) {
            next();
            Token hash = peekOrEnd();
            if (!hash.is("rjenkins1")) {
                expect(INT, "a hash number or 'rjenkins1'");
            } else {
                next();
            }
            hashes.add(hash);
        }
        List<Syntax.Item> items = new ArrayList<>();
        while (!atEnd() && peek().is("item")) {
            items.add(item());
        }
        Token close = peekOrEnd();
        if (!close.is("}")) {
            throw close.error("expected 'item' or '}' in bucket '" + name.text() + "' but found " + describe(close)
                    + " (order inside a bucket: id lines, alg, hash, items)");
        }
        next();
        return new Syntax.Bucket(type, name, ids, alg, hashes, items);
    }

    private Syntax.Item item() throws CrushParseException {
        next();
        Token name = expectName("item name");
        Token weight = null;
        Token position = null;
        if (!atEnd() && peek().is("weight")) {
            next();
            weight = expect(REAL, "a weight such as 1.000");
        }
        if (!atEnd() && peek().is("pos")) {
            next();
            position = expect(POSINT, "a non-negative position");
        }
        return new Syntax.Item(name, weight, position);
    }

    private Syntax.Rule rule() throws CrushParseException {
        Token keyword = next();
        Token name = null;
        if (!peekOrEnd().is("{")) {
            name = expectName("rule name");
        }
        expectWord("{");
        Token idKeyword = peekOrEnd();
        if (!idKeyword.is("id") && !idKeyword.is("ruleset")) {
            throw idKeyword.error("expected 'id' (or 'ruleset') but found " + describe(idKeyword));
        }
        next();
        Token id = expect(POSINT, "a non-negative rule id");
        expectWord("type");
        Token type = peekOrEnd();
        if (!type.is("replicated") && !type.is("erasure")) {
            throw type.error("expected rule type 'replicated' or 'erasure' but found " + describe(type));
        }
        next();
        expectWord("min_size");
        Token minSize = expect(POSINT, "a non-negative min_size");
        expectWord("max_size");
        Token maxSize = expect(POSINT, "a non-negative max_size");
        List<Syntax.Step> steps = new ArrayList<>();
        while (!atEnd() && peek().is("step")) {
            steps.add(step());
        }
        Token close = peekOrEnd();
        if (steps.isEmpty()) {
            throw close.error("expected 'step' but found " + describe(close) + ": a rule needs at least one step");
        }
        if (!close.is("}")) {
            throw close.error("expected 'step' or '}' but found " + describe(close));
        }
        next();
        return new Syntax.Rule(keyword, name, id, type, minSize, maxSize, steps);
    }

    private Syntax.Step step() throws CrushParseException {
        Token keyword = next();
        Token op = peekOrEnd();
        List<Token> args = new ArrayList<>();
        if (op.is("take")) {
            next();
            args.add(expectName("item to take"));
            if (!atEnd() && peek().is("class")) {
                args.add(next());
                args.add(expectName("device class name"));
            }
        } else if (ONE_ARG_STEPS.contains(op.text())) {
            next();
            args.add(expect(POSINT, "a non-negative number"));
        } else if (op.is("choose") || op.is("chooseleaf")) {
            next();
            Token mode = peekOrEnd();
            if (!mode.is("firstn") && !mode.is("indep")) {
                throw mode.error("expected 'firstn' or 'indep' after '" + op.text() + "' but found " + describe(mode));
            }
            args.add(next());
            args.add(expect(INT, "the number of items to choose"));
            expectWord("type");
            args.add(expectName("type name"));
        } else if (op.is("emit")) {
            next();
        } else {
            throw op.error("unknown step " + describe(op) + " (expected take, choose, chooseleaf, emit, set_choose_tries,"
                    + " set_chooseleaf_tries, set_choose_local_tries, set_choose_local_fallback_tries,"
                    + " set_chooseleaf_vary_r or set_chooseleaf_stable)");
        }
        return new Syntax.Step(keyword, op, args);
    }

    private Syntax.ChooseArgs chooseArgs() throws CrushParseException {
        Token keyword = next();
        Token index = expect(POSINT, "a non-negative choose_args index");
        expectWord("{");
        List<Syntax.ChooseArg> args = new ArrayList<>();
        while (peekOrEnd().is("{")) {
            next();
            expectWord("bucket_id");
            Token bucketId = expect(NEGINT, "a negative bucket id");
            Token weightSetKeyword = null;
            List<List<Token>> weightSet = new ArrayList<>();
            if (peekOrEnd().is("weight_set")) {
                weightSetKeyword = next();
                expectWord("[");
                while (peekOrEnd().is("[")) {
                    next();
                    weightSet.add(listUntilClose(REAL, "a weight"));
                }
                expectWord("]");
            }
            Token idsKeyword = null;
            List<Token> ids = new ArrayList<>();
            if (peekOrEnd().is("ids")) {
                idsKeyword = next();
                expectWord("[");
                ids = listUntilClose(INT, "an item id");
            }
            expectWord("}");
            args.add(new Syntax.ChooseArg(bucketId, weightSetKeyword, weightSet, idsKeyword, ids));
        }
        expectWord("}");
        return new Syntax.ChooseArgs(keyword, index, args);
    }

    private List<Token> listUntilClose(Pattern element, String what) throws CrushParseException {
        List<Token> list = new ArrayList<>();
        while (!peekOrEnd().is("]")) {
            list.add(expect(element, what + " or ']'"));
        }
        next();
        return list;
    }

    // ---- token helpers

    private boolean atEnd() {
        return pos >= tokens.size();
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token peekAt(int ahead) {
        int i = pos + ahead;
        return i < tokens.size() ? tokens.get(i) : end;
    }

    private Token peekOrEnd() {
        return atEnd() ? end : peek();
    }

    private Token next() {
        return tokens.get(pos++);
    }

    private void expectWord(String word) throws CrushParseException {
        Token t = peekOrEnd();
        if (!t.is(word)) {
            throw t.error("expected '" + word + "' but found " + describe(t));
        }
        next();
    }

    private Token expectName(String what) throws CrushParseException {
        return expect(NAME, what + " (letters, digits, '-', '_' and '.')");
    }

    private Token expect(Pattern pattern, String what) throws CrushParseException {
        Token t = peekOrEnd();
        if (atEnd() || !pattern.matcher(t.text()).matches()) {
            throw t.error("expected " + what + " but found " + describe(t));
        }
        return next();
    }

    private String describe(Token t) {
        return t == end ? "the end of the map" : t.toString();
    }
}
