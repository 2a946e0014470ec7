package io.loligo.crush.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a text crush map into words the way Ceph's compiler sees them: {@code #} starts a comment
 * that runs to the end of the line, whitespace separates words, and each of {@code { } [ ]} is a
 * word of its own even without spaces around it.
 */
final class Lexer {
    private Lexer() {}

    static List<Token> tokenize(String text) {
        List<Token> tokens = new ArrayList<>();
        int line = 1;
        int lineStart = 0;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                lineStart = ++i;
            } else if (c == '#') {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (isBracket(c)) {
                tokens.add(new Token(String.valueOf(c), line, i - lineStart + 1));
                i++;
            } else {
                int start = i;
                while (i < n && !Character.isWhitespace(text.charAt(i)) && !isBracket(text.charAt(i))
                        && text.charAt(i) != '#') {
                    i++;
                }
                tokens.add(new Token(text.substring(start, i), line, start - lineStart + 1));
            }
        }
        return tokens;
    }

    /** Line and column just after the last character of the text: where "unexpected end" points. */
    static Token end(String text) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new Token("end of input", line, text.length() - lineStart + 1);
    }

    private static boolean isBracket(char c) {
        return c == '{' || c == '}' || c == '[' || c == ']';
    }
}
