package io.loligo.crush.tester;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * crushtool's command line, parsed the way Ceph's crushtool.cc and ceph_argparse do it: options
 * are matched in order with '-' and '_' interchangeable, {@code --opt value} and
 * {@code --opt=value} both work, integers must be whole ({@code strict_strtol}), weights are
 * read with C's lenient {@code atof}, and later options override earlier ones (so
 * {@code --x 5 --min-x 2} gives x = 2..5). Tester settings are recorded in order and replayed
 * onto a {@link CrushTester} by {@link #applyTo}.
 *
 * <p>Only the input/output, display and test stages are supported; map-editing options
 * (--build, --add-item, --reweight, --set-*, ...) are rejected with a {@link UsageException}.
 */
public final class CrushtoolArgs {
    /** A bad command line: unknown option, missing or malformed value. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    public String infn;
    public String outfn;
    public String srcfn;
    public boolean decompile;
    public boolean compile;
    public boolean test;
    public boolean tree;
    public boolean help;
    public boolean display;
    public int verbose;
    private final List<Consumer<CrushTester>> testerSettings = new ArrayList<>();

    private static final String[] UNSUPPORTED = {
        "--build", "--num-osds", "--add-item", "--update-item", "--remove-item", "--reweight-item", "--reweight",
        "--add-bucket", "--move", "--loc", "--rebuild-class-roots", "--create-simple-rule",
        "--create-replicated-rule", "--device-class", "--remove-rule", "--set-choose-local-tries",
        "--set-choose-local-fallback-tries", "--set-choose-total-tries", "--set-chooseleaf-descend-once",
        "--set-chooseleaf-vary-r", "--set-chooseleaf-stable", "--set-straw-calc-version",
        "--set-allowed-bucket-algs", "--enable-unsafe-tunables", "--dump", "--format", "-f", "--check",
        "--show-location", "--simulate", "-s", "--output-csv", "--output-name", "--help-output",
        "--mark-down-ratio", "--mark-down-bucket-ratio", "--reclassify", "--reclassify-bucket",
        "--reclassify-root", "--set-subtree-class", "--compare", "--bucket-tree", "--bucket-name",
    };

    /** Parses crushtool's arguments (everything after "crushtool"). */
    public static CrushtoolArgs parse(List<String> argv) throws UsageException {
        CrushtoolArgs a = new CrushtoolArgs();
        List<String> unrecognized = new ArrayList<>();
        Cursor c = new Cursor(argv);
        while (c.hasNext()) {
            if (c.peek().equals("--")) {
                c.next();
                while (c.hasNext()) {
                    unrecognized.add(c.next());
                }
                break;
            }
            if (!a.parseOne(c)) {
                unrecognized.add(c.next());
            }
        }
        if (!unrecognized.isEmpty()) {
            throw new UsageException("unrecognized arguments: [" + String.join(",", unrecognized) + "]");
        }
        return a;
    }

    private boolean parseOne(Cursor c) throws UsageException {
        String v;
        Integer n;
        if (c.flag("-h", "--help")) {
            help = true;
        } else if ((v = c.withArg("-d", "--decompile")) != null) {
            infn = v;
            decompile = true;
        } else if ((v = c.withArg("-i", "--infn")) != null) {
            infn = v;
        } else if ((v = c.withArg("-o", "--outfn")) != null) {
            outfn = v;
        } else if (c.flag("-v", "--verbose")) {
            verbose++;
        } else if (c.flag("--tree")) {
            tree = true;
        } else if ((v = c.withArg("-c", "--compile")) != null) {
            srcfn = v;
            compile = true;
        } else if (c.flag("-t", "--test")) {
            test = true;
        } else if (parseDisplay(c)) {
            display = true;
        } else if (parseTestInt(c)) {
            return true;
        } else if ((n = c.withInt("--batches")) != null) {
            if (n < 1) {
                throw new UsageException("--batches must be at least 1, got " + n);
            }
            // Batches only split the x range into rounds for CSV output; mappings are unchanged.
        } else if ((n = c.withInt("--weight")) != null) {
            int dev = n;
            if (!c.hasNext()) {
                throw new UsageException("expecting additional argument to --weight");
            }
            float f = (float) atof(c.next());
            testerSettings.add(t -> t.setDeviceWeight(dev, f));
        } else {
            for (String option : UNSUPPORTED) {
                if (c.matches(option)) {
                    throw new UsageException("option " + c.peek() + " is not supported by loligo crushtool");
                }
            }
            return false;
        }
        return true;
    }

    /** The integer test options, in crushtool's matching order; each later one overrides earlier ones. */
    private static final List<Map.Entry<String, BiConsumer<CrushTester, Integer>>> TEST_INTS = List.of(
            Map.entry("--num-rep", CrushTester::setNumRep),
            Map.entry("--max-x", CrushTester::setMaxX),
            Map.entry("--min-x", CrushTester::setMinX),
            Map.entry("--x", CrushTester::setX),
            Map.entry("--max-rule", CrushTester::setMaxRule),
            Map.entry("--min-rule", CrushTester::setMinRule),
            Map.entry("--rule", CrushTester::setRule),
            Map.entry("--ruleset", CrushTester::setRuleset),
            Map.entry("--pool-id", CrushTester::setPoolId));

    private boolean parseTestInt(Cursor c) throws UsageException {
        for (Map.Entry<String, BiConsumer<CrushTester, Integer>> option : TEST_INTS) {
            Integer n = c.withInt(option.getKey());
            if (n != null) {
                testerSettings.add(t -> option.getValue().accept(t, n));
                return true;
            }
        }
        return false;
    }

    private boolean parseDisplay(Cursor c) {
        if (c.flag("--show-utilization")) {
            testerSettings.add(t -> t.setOutputUtilization(true));
        } else if (c.flag("--show-utilization-all")) {
            testerSettings.add(t -> t.setOutputUtilizationAll(true));
        } else if (c.flag("--show-statistics")) {
            testerSettings.add(t -> t.setOutputStatistics(true));
        } else if (c.flag("--show-mappings")) {
            testerSettings.add(t -> t.setOutputMappings(true));
        } else if (c.flag("--show-bad-mappings")) {
            testerSettings.add(t -> t.setOutputBadMappings(true));
        } else if (c.flag("--show-choose-tries")) {
            testerSettings.add(t -> t.setOutputChooseTries(true));
        } else {
            return false;
        }
        return true;
    }

    /** Replays the test options onto a tester, then applies crushtool's rule that utilization implies statistics. */
    public void applyTo(CrushTester tester) {
        for (Consumer<CrushTester> s : testerSettings) {
            s.accept(tester);
        }
        if (tester.outputUtilization() || tester.outputUtilizationAll()) {
            tester.setOutputStatistics(true);
        }
    }

    /** Whether any action was asked for (crushtool: "no action specified; -h for help" otherwise). */
    public boolean hasAction() {
        return compile || decompile || test || tree;
    }

    private static final Pattern ATOF = Pattern.compile(
            "^[ \\t\\n\\x0B\\f\\r]*([+-]?(?:(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|inf(?:inity)?|nan))",
            Pattern.CASE_INSENSITIVE);

    /** C's atof: the longest decimal prefix, 0 when there is none. */
    static double atof(String s) {
        Matcher m = ATOF.matcher(s);
        if (!m.find()) {
            return 0;
        }
        String t = m.group(1).toLowerCase(Locale.ROOT);
        String unsigned = t.startsWith("+") || t.startsWith("-") ? t.substring(1) : t;
        double sign = t.startsWith("-") ? -1 : 1;
        if (unsigned.startsWith("inf")) {
            return sign * Double.POSITIVE_INFINITY;
        }
        if (unsigned.startsWith("nan")) {
            return Double.NaN;
        }
        return Double.parseDouble(t);
    }

    /** Walks argv with ceph_argparse's matching rules. */
    private static final class Cursor {
        private final List<String> args;
        private int pos;

        Cursor(List<String> args) {
            this.args = args;
        }

        boolean hasNext() {
            return pos < args.size();
        }

        String peek() {
            return args.get(pos);
        }

        String next() {
            return args.get(pos++);
        }

        /** ceph_argparse_cmd_equals: '-' and '_' are the same character. */
        private static boolean same(String arg, String option) {
            return arg.replace('_', '-').equals(option);
        }

        boolean matches(String option) {
            String arg = peek();
            int eq = arg.indexOf('=');
            return same(arg, option) || (eq > 0 && same(arg.substring(0, eq), option));
        }

        boolean flag(String... options) {
            for (String o : options) {
                if (same(peek(), o)) {
                    pos++;
                    return true;
                }
            }
            return false;
        }

        /** ceph_argparse_witharg: the value, or null when the current argument is another option. */
        String withArg(String... options) throws UsageException {
            String arg = peek();
            for (String o : options) {
                if (same(arg, o)) {
                    pos++;
                    if (!hasNext()) {
                        throw new UsageException("Option " + o + " requires an argument.");
                    }
                    return next();
                }
                int eq = arg.indexOf('=');
                if (eq > 0 && same(arg.substring(0, eq), o)) {
                    pos++;
                    return arg.substring(eq + 1);
                }
            }
            return null;
        }

        /** ceph_argparse_withint: strict base-10 int. */
        Integer withInt(String option) throws UsageException {
            String v = withArg(option);
            if (v == null) {
                return null;
            }
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new UsageException("The option value '" + v + "' is invalid");
            }
        }
    }
}
