package io.switchyard.agent.decode;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.scanner.Constant;

import java.io.Reader;

/**
 * snakeyaml's character source over text already in memory, with O(1) look-ahead. snakeyaml's
 * own {@link StreamReader} copies its whole look-ahead window for every 1024 characters it
 * reads, and its scanner looks ahead over a whole scalar before consuming it, so one long
 * scalar costs time and garbage quadratic in its length (an 8 MB quoted string: 25 s and GBs).
 * Every public method is overridden; the base class's own state is never used. Marks carry
 * the position only, no text snippet, so they do not keep the text alive.
 */
final class TextStreamReader extends StreamReader {

    private static final int[] NO_SNIPPET = new int[0];

    private final String name;
    private final String text;
    /** The text's code points when it has surrogate pairs; null when code point i is char i. */
    private final int[] codePoints;
    private final int length;
    private int pointer;
    private int index;
    private int documentIndex;
    private int line;
    private int column;

    /** @throws ReaderException when the text holds a character YAML does not allow */
    TextStreamReader(String text, String name) {
        super(Reader.nullReader());
        this.name = name;
        this.text = text;
        boolean surrogates = false;
        for (int i = 0; i < text.length(); i++) {
            if (Character.isSurrogate(text.charAt(i))) {
                surrogates = true;
                break;
            }
        }
        this.codePoints = surrogates ? text.codePoints().toArray() : null;
        this.length = surrogates ? codePoints.length : text.length();
        for (int i = 0; i < length; i++) {
            int c = at(i);
            if (!isPrintable(c)) {
                throw new ReaderException(name, i, c, "special characters are not allowed");
            }
        }
    }

    private int at(int i) {
        if (i >= length) {
            return '\0';
        }
        return codePoints == null ? text.charAt(i) : codePoints[i];
    }

    @Override
    public Mark getMark() {
        return new Mark(name, index, line, column, NO_SNIPPET, 0);
    }

    @Override
    public void forward() {
        forward(1);
    }

    @Override
    public void forward(int count) {
        for (int i = 0; i < count && pointer < length; i++) {
            int c = at(pointer++);
            index++;
            documentIndex++;
            if (Constant.LINEBR.has(c) || (c == '\r' && pointer < length && at(pointer) != '\n')) {
                line++;
                column = 0;
            } else if (c != 0xFEFF) {
                column++;
            }
        }
    }

    @Override
    public int peek() {
        return at(pointer);
    }

    @Override
    public int peek(int offset) {
        return at(pointer + offset);
    }

    @Override
    public String prefix(int count) {
        int end = Math.min(length, pointer + count);
        if (end <= pointer) {
            return "";
        }
        return codePoints == null ? text.substring(pointer, end) : new String(codePoints, pointer, end - pointer);
    }

    @Override
    public String prefixForward(int count) {
        String prefix = prefix(count);
        pointer += count;
        index += count;
        documentIndex += count;
        column += count;
        return prefix;
    }

    @Override
    public int getColumn() {
        return column;
    }

    @Override
    public int getDocumentIndex() {
        return documentIndex;
    }

    @Override
    public void resetDocumentIndex() {
        documentIndex = 0;
    }

    @Override
    public int getIndex() {
        return index;
    }

    @Override
    public int getLine() {
        return line;
    }
}
