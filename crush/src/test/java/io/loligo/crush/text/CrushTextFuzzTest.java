package io.loligo.crush.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.crush.CrushMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves that any text, however mangled, is either compiled into a map that prints, or refused
 * with a {@link CrushParseException} pointing inside the text: never an unchecked exception.
 * Inputs are the vector maps with seeded random edits (lines dropped, duplicated or swapped, words
 * replaced by other words, huge or negative numbers, stray characters). Replay a failure with
 * {@code LOLIGO_SEED=<seed>}.
 */
class CrushTextFuzzTest {
    private static final String[] JUNK = {"-1", "0", "99999999999", "-2147483648", "2147483647", "{", "}", "[", "]",
            "1e400", "nan", "0x10", "osd.999", "class", "weight", "pos", "id", "item", "step", "take", "type",
            "rule", "tunable", "device", "choose_args", "bucket_id", "weight_set", "ids", "~", "é", "\t", "#", ""};

    static LongStream seeds() {
        String replay = System.getenv("LOLIGO_SEED");
        return replay != null ? LongStream.of(Long.parseLong(replay)) : LongStream.rangeClosed(1, 40);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void mangledTextCompilesOrIsRefusedWithAPosition(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> maps = CrushTextVectorsTest.maps().toList();
        for (int round = 0; round < 100; round++) {
            String name = maps.get(random.nextInt(maps.size()));
            String text = mangle(CrushTextVectorsTest.read(name, random.nextBoolean() ? ".txt" : ".src.txt"), random);
            String what = "seed " + seed + " round " + round + " (" + name + ")";
            try {
                CrushMap map = CrushText.parse(text);
                CrushText.print(map);
            } catch (CrushParseException e) {
                long lines = text.chars().filter(c -> c == '\n').count() + 1;
                assertThat(e.line()).as(what + ": " + e.getMessage()).isBetween(1, (int) lines);
                assertThat(e.column()).as(what + ": " + e.getMessage()).isPositive();
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError(what + ": unchecked " + e + "\n" + text, e);
            }
        }
    }

    private static String mangle(String text, SplittableRandom random) {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits; i++) {
            int at = random.nextInt(lines.size());
            switch (random.nextInt(5)) {
                case 0 -> lines.remove(at);
                case 1 -> lines.add(at, lines.get(random.nextInt(lines.size())));
                case 2 -> {
                    int other = random.nextInt(lines.size());
                    String tmp = lines.get(at);
                    lines.set(at, lines.get(other));
                    lines.set(other, tmp);
                }
                case 3 -> lines.set(at, replaceWord(lines.get(at), JUNK[random.nextInt(JUNK.length)], random));
                default -> {
                    String words = String.join(" ", lines);
                    String[] all = words.trim().split("\\s+");
                    lines.set(at, replaceWord(lines.get(at), all[random.nextInt(all.length)], random));
                }
            }
            if (lines.isEmpty()) {
                lines.add("");
            }
        }
        return String.join("\n", lines);
    }

    private static String replaceWord(String line, String word, SplittableRandom random) {
        String[] words = line.split(" ", -1);
        words[random.nextInt(words.length)] = word;
        return String.join(" ", words);
    }
}
