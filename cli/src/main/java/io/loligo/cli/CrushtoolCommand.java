package io.loligo.cli;

import io.loligo.crush.CrushMap;
import io.loligo.crush.tester.CrushTester;
import io.loligo.crush.tester.CrushTreePrinter;
import io.loligo.crush.tester.CrushtoolArgs;
import io.loligo.crush.text.CrushParseException;
import io.loligo.crush.text.CrushText;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code loligo crushtool}: Ceph's crushtool for the stages Loligo supports, output
 * byte-identical to Ceph 16.2's. {@code -i MAP --test [options]} runs the CRUSH tester;
 * {@code -d MAP [-o OUT]} prints the text map; {@code -c MAP.txt [-o OUT]} compiles (checks) a
 * text map and writes it back out (binary when a Ceph binary encoder is available).
 *
 * <p>Arguments are parsed by hand with crushtool's own rules ({@link CrushtoolArgs}), because
 * crushtool's options interact in argument order. Exit codes: 0 success; 1 the operation failed
 * (unreadable or unparsable map, write error); 2 bad usage (unknown option, missing value).
 */
@Command(name = "crushtool", description = "Test, compile and decompile CRUSH maps, as Ceph's crushtool.",
        mixinStandardHelpOptions = false)
public final class CrushtoolCommand implements Callable<Integer> {
    private static final String ME = "crushtool";
    /** A compiled (binary) crush map starts with CRUSH_MAGIC 0x00010000, little-endian. */
    private static final byte[] BINARY_MAGIC = {0x00, 0x00, 0x01, 0x00};

    @Unmatched
    List<String> argv = new ArrayList<>();

    @Override
    public Integer call() {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(java.io.FileDescriptor.out),
                1 << 16), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        try {
            return run(argv, out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** Runs crushtool with {@code args}, writing its stdout and stderr to the given streams. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        CrushtoolArgs a;
        try {
            a = CrushtoolArgs.parse(args);
        } catch (CrushtoolArgs.UsageException e) {
            err.println(e.getMessage());
            err.println("usage: loligo crushtool -i MAP --test [--show-mappings ...]; -h for help");
            return 2;
        }
        if (a.help) {
            usage(out);
            return 0;
        }
        if (a.test && !a.display) {
            err.println("WARNING: no output selected; use --output-csv or --show-X");
        }
        if (a.compile && a.decompile) {
            err.println("cannot specify more than one of compile, decompile, and build");
            return 2;
        }
        if (!a.hasAction()) {
            err.println("no action specified; -h for help");
            return 2;
        }
        try {
            return execute(a, out, err);
        } catch (Failure f) {
            err.println(f.getMessage());
            return 1;
        }
    }

    private static int execute(CrushtoolArgs a, PrintStream out, PrintStream err) throws Failure {
        CrushMap map = null;
        if (a.infn != null) {
            map = load(a.infn);
        }
        if (a.decompile) {
            writeOutput(a.outfn, CrushText.print(map).getBytes(StandardCharsets.UTF_8), out);
        }
        if (a.tree) {
            if (map == null) {
                throw new Failure(ME + ": --tree needs a map: -i MAP");
            }
            out.print(CrushTreePrinter.print(map));
        }
        if (a.compile) {
            map = parseText(a.srcfn, readFile(a.srcfn));
            if (a.outfn == null) {
                out.println(ME + " successfully built or modified map.  Use '-o <file>' to write it out.");
            } else {
                writeOutput(a.outfn, encode(map), out);
            }
        }
        if (a.test) {
            if (map == null) {
                throw new Failure(ME + ": --test needs a map: -i MAP (or -c MAP.txt)");
            }
            CrushTester tester = new CrushTester(map);
            a.applyTo(tester);
            tester.test(out, err);
        }
        return 0;
    }

    private static CrushMap load(String path) throws Failure {
        byte[] bytes = readFile(path);
        if (isBinary(bytes)) {
            return decodeBinary(path, bytes);
        }
        return parseText(path, bytes);
    }

    private static boolean isBinary(byte[] bytes) {
        if (bytes.length < BINARY_MAGIC.length) {
            return false;
        }
        for (int i = 0; i < BINARY_MAGIC.length; i++) {
            if (bytes[i] != BINARY_MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static CrushMap parseText(String path, byte[] bytes) throws Failure {
        try {
            return CrushText.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (CrushParseException e) {
            throw new Failure(ME + ": " + path + ": " + e.getMessage());
        }
    }

    /** Reads a map file; "-" is standard input, as in crushtool. */
    private static byte[] readFile(String path) throws Failure {
        try {
            if (path.equals("-")) {
                return System.in.readAllBytes();
            }
            return Files.readAllBytes(Path.of(path));
        } catch (NoSuchFileException e) {
            throw new Failure(ME + ": error reading '" + path + "': No such file or directory");
        } catch (IOException | RuntimeException e) {
            throw new Failure(ME + ": error reading '" + path + "': " + e.getMessage());
        }
    }

    private static void writeOutput(String outfn, byte[] bytes, PrintStream out) throws Failure {
        if (outfn == null) {
            out.write(bytes, 0, bytes.length);
            return;
        }
        try (OutputStream o = Files.newOutputStream(Path.of(outfn))) {
            o.write(bytes);
        } catch (IOException | RuntimeException e) {
            throw new Failure(ME + ": error writing '" + outfn + "': " + e.getMessage());
        }
    }

    /** The compiled binary when a Ceph binary codec is present (io.loligo.crush.binary.CrushBinary), else the canonical text. */
    private static byte[] encode(CrushMap map) throws Failure {
        Method m = binaryCodecMethod("encode", CrushMap.class);
        if (m == null) {
            return CrushText.print(map).getBytes(StandardCharsets.UTF_8);
        }
        try {
            return (byte[]) m.invoke(null, map);
        } catch (IllegalAccessException | InvocationTargetException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new Failure(ME + ": cannot encode the map: " + cause.getMessage());
        }
    }

    private static CrushMap decodeBinary(String path, byte[] bytes) throws Failure {
        Method m = binaryCodecMethod("decode", byte[].class);
        if (m == null) {
            throw new Failure(ME + ": " + path + " is a compiled (binary) crush map, which this build cannot read;"
                    + " decompile it first with Ceph's crushtool -d");
        }
        try {
            return (CrushMap) m.invoke(null, (Object) bytes);
        } catch (IllegalAccessException | InvocationTargetException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new Failure(ME + ": unable to decode " + path + ": " + cause.getMessage());
        }
    }

    /** The binary codec is optional (another package may provide it later); looked up by name. */
    private static Method binaryCodecMethod(String name, Class<?> parameter) {
        try {
            Class<?> codec = Class.forName("io.loligo.crush.binary.CrushBinary");
            return codec.getMethod(name, parameter);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            return null;
        }
    }

    private static void usage(PrintStream out) {
        out.print("""
                usage: loligo crushtool ...
                   --decompile|-d map    decompile a crush map to source
                   --compile|-c map.txt  compile a map from source
                   [--outfn|-o outfile]  specify output for (de)compilation
                   --tree                print map summary as a tree
                   -i mapfn --test       test a range of inputs on the map
                      [--min-x x] [--max-x x] [--x x]
                      [--min-rule r] [--max-rule r] [--rule r] [--ruleset rs]
                      [--num-rep n]
                      [--pool-id n]      specifies pool id
                      [--batches b]      split the CRUSH mapping into b > 1 rounds
                      [--weight devno weight]
                                         where weight is 0 to 1.0
                   --show-utilization    show OSD usage
                   --show-utilization-all
                                         include zero weight items
                   --show-statistics     show chi squared statistics
                   --show-mappings       show mappings
                   --show-bad-mappings   show bad mappings
                   --show-choose-tries   show choose tries histogram
                """);
    }

    /** An operation that failed (exit 1), with the message for stderr. */
    private static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }
}
