package io.loligo.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.crush.CrushMap;
import io.loligo.crush.text.CrushParseException;
import io.loligo.crush.text.CrushText;
import io.loligo.maps.CrushCodec;
import io.loligo.maps.codec.MapDecodeException;
import io.loligo.maps.codec.MapReader;
import io.loligo.mon.Errno;
import io.loligo.maps.monc.MonReply;
import io.loligo.maps.monc.ClusterConf;
import io.loligo.maps.monc.MonConnection;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Shared body of the admin commands ({@code loligo osd ...}, {@code loligo status}, ...): finds the
 * monitors and the key from the conf file, turns the words into a monitor command, runs it and
 * prints the reply as Ceph does ({@code --format json} prints Ceph's JSON). Exit codes: 0 success,
 * 1 the monitors refused or failed the command, 2 bad usage or configuration.
 */
public abstract class AdminCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    @Option(names = {"-c", "--conf"}, description = "Cluster config file (default: $LOLIGO_CONF, ./.loligo/loligo.conf or $LOLIGO_HOME's, /etc/loligo/loligo.conf).")
    String conf;

    @Option(names = {"-n", "--name"}, defaultValue = "client.admin", description = "Entity to authenticate as.")
    protected String name;

    @Option(names = {"-f", "--format"}, defaultValue = "plain", description = "plain, json or json-pretty.")
    protected String format;

    @Option(names = {"-i", "--in-file"}, description = "Input file (osd setcrushmap -i MAP.txt).")
    Path inFile;

    @Option(names = {"-o", "--out-file"}, description = "Write the output to this file.")
    Path outFile;

    @Option(names = "--yes-i-really-really-mean-it", description = "Confirm a destructive command.")
    boolean yes;

    @Option(names = "--size", description = "osd pool create: replicas (default osd_pool_default_size).")
    Integer size;

    @Option(names = "--min-size", description = "osd pool create: min_size.")
    Integer minSize;

    @Option(names = "--rule", description = "osd pool create: CRUSH rule name.")
    String rule;

    @Option(names = "--out", description = "osd down: also mark the OSDs out, in the same map epoch (their PGs re-peer once).")
    boolean out;

    @Parameters(arity = "0..*", description = "The command's words, as Ceph's CLI takes them.")
    protected List<String> words = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        List<String> all = new ArrayList<>(List.of(spec.name().split(" ")));
        all.addAll(words);
        ObjectNode cmd;
        try {
            cmd = CommandTable.parse(all);
            decorate(cmd);
        } catch (CommandTable.UsageException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (IOException | CrushParseException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        if (!format.equals("plain") && !format.startsWith("json")) {
            err.println("error: --format " + format + " (expected plain, json or json-pretty)");
            return 2;
        }
        MonReply reply;
        try (MonConnection mon = MonConnection.connect(ClusterConf.load(confPath()), name)) {
            reply = mon.command(cmd);
        } catch (ClusterConf.ConfException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        return print(cmd.path("prefix").asText(), cmd, reply);
    }

    protected Path confPath() {
        if (conf != null) {
            return Path.of(conf);
        }
        return io.loligo.cli.LocalCluster.defaultConf();
    }

    /** Adds what the words alone do not carry: options, confirmation, file contents. */
    private void decorate(ObjectNode cmd) throws IOException, CrushParseException {
        String prefix = cmd.path("prefix").asText();
        if (prefix.equals("osd pool create")) {
            if (size != null) {
                cmd.put("size", size);
            }
            if (minSize != null) {
                cmd.put("min_size", minSize);
            }
            if (rule != null) {
                cmd.put("rule", rule);
            }
        }
        if (out && !prefix.equals("osd down")) {
            throw new IOException("--out goes with osd down only (osd down --out IDS: down and out in one epoch)");
        }
        if (out) {
            cmd.put("out", true);
        }
        if (prefix.equals("osd pool rm") || prefix.equals("osd pool delete")) {
            cmd.put("yes_i_really_really_mean_it", yes);
        }
        if (prefix.equals("osd setcrushmap")) {
            if (inFile == null) {
                throw new IOException("osd setcrushmap needs -i MAP.txt (a text crush map, as osd getcrushmap prints)");
            }
            CrushMap map = CrushText.parse(Files.readString(inFile));
            cmd.put("data", Base64.getEncoder().encodeToString(CrushCodec.toBytes(map)));
        }
    }

    private int print(String prefix, ObjectNode cmd, MonReply reply) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!reply.ok()) {
            err.println("Error " + Errno.name(reply.code()) + ": " + reply.outs());
            err.flush();
            return 1;
        }
        String text;
        try {
            text = render(prefix, cmd, reply);
        } catch (IOException | MapDecodeException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        if (!reply.outs().isEmpty()) {
            err.println(reply.outs());
        }
        if (text != null && !text.isEmpty()) {
            if (outFile != null) {
                try {
                    Files.writeString(outFile, text);
                } catch (IOException e) {
                    err.println("error: cannot write " + outFile + ": " + e.getMessage());
                    return 1;
                }
            } else {
                out.print(text.endsWith("\n") ? text : text + "\n");
            }
        }
        out.flush();
        err.flush();
        return 0;
    }

    private String render(String prefix, ObjectNode cmd, MonReply reply) throws IOException, MapDecodeException {
        JsonNode data = reply.data();
        if (prefix.equals("osd getcrushmap")) {
            CrushMap map = CrushCodec.decode(new MapReader(Base64.getDecoder().decode(data.asText())));
            return CrushText.print(map);
        }
        if (format.startsWith("json")) {
            if (data == null || data.isNull() || data.isMissingNode()) {
                return "";
            }
            return format.equals("json-pretty") ? MonReply.json().writerWithDefaultPrettyPrinter().writeValueAsString(data)
                    : MonReply.json().writeValueAsString(data);
        }
        return TextOutput.render(prefix, cmd, data, reply.epoch());
    }
}
