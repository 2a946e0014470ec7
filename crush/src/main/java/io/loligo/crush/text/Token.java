package io.loligo.crush.text;

/** One word of a text crush map with its 1-based line and column (a tab counts as one column). */
record Token(String text, int line, int column) {
    boolean is(String word) {
        return text.equals(word);
    }

    CrushParseException error(String message) {
        return new CrushParseException(line, column, message);
    }

    @Override
    public String toString() {
        return "'" + text + "'";
    }
}
