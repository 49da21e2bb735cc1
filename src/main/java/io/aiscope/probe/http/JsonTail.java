package io.aiscope.probe.http;

/**
 * Finds, in the captured end of a JSON object, where its complete top-level members begin, walking backwards from
 * the closing brace. A long body is captured as its first bytes and its last ones; OpenAI clients put
 * {@code model} after the messages and servers put {@code usage} last, so the fields often live only in the
 * tail. Walking backwards from the document's end is what makes depth known: a forward parse from the middle
 * cannot tell a top-level key from one inside a message. An opening brace followed by {@code w[start..to)} is
 * then a valid object.
 */
final class JsonTail {
    private JsonTail() {
    }

    /**
     * Index of the first complete top-level member in {@code w[from..to)}, which must end (but for whitespace)
     * with the object's closing brace; -1 when there is none or the bytes are not the end of a JSON object.
     */
    static int membersStart(byte[] w, int from, int to) {
        int i = skipSpaceBack(w, from, to - 1);
        if (i < from || w[i] != '}') {
            return -1;
        }
        int start = -1;
        i--;
        while (true) {
            i = skipSpaceBack(w, from, i);
            if (i < from || w[i] == '{') {
                return start;
            }
            int value = valueStart(w, from, i);
            if (value < 0) {
                return start;
            }
            i = skipSpaceBack(w, from, value - 1);
            if (i < from) {
                return start;
            }
            if (w[i] != ':') {
                return -1;
            }
            i = skipSpaceBack(w, from, i - 1);
            if (i < from) {
                return start;
            }
            if (w[i] != '"') {
                return -1;
            }
            int key = stringStart(w, from, i);
            if (key < 0) {
                return start;
            }
            start = key;
            i = skipSpaceBack(w, from, key - 1);
            if (i < from || w[i] == '{') {
                return start;
            }
            if (w[i] != ',') {
                return -1;
            }
            i--;
        }
    }

    private static int skipSpaceBack(byte[] w, int from, int i) {
        while (i >= from && (w[i] == ' ' || w[i] == '\n' || w[i] == '\r' || w[i] == '\t')) {
            i--;
        }
        return i;
    }

    /** First index of the value whose last byte is {@code w[last]}; -1 when it starts before the window. */
    private static int valueStart(byte[] w, int from, int last) {
        byte c = w[last];
        if (c == '"') {
            return stringStart(w, from, last);
        }
        if (c == '}' || c == ']') {
            int depth = 0;
            for (int j = last; j >= from; j--) {
                byte d = w[j];
                if (d == '"') {
                    j = stringStart(w, from, j);
                    if (j < 0) {
                        return -1;
                    }
                } else if (d == '}' || d == ']') {
                    depth++;
                } else if ((d == '{' || d == '[') && --depth == 0) {
                    return j;
                }
            }
            return -1;
        }
        int j = last;
        while (j >= from && scalar(w[j])) {
            j--;
        }
        // A number or literal that reaches the window's start may have begun before it.
        return j == last || j < from ? -1 : j + 1;
    }

    private static boolean scalar(byte c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '-' || c == '+';
    }

    /**
     * The opening quote of the string whose closing quote is {@code w[close]}: the nearest quote before it not
     * escaped, that is preceded by an even run of backslashes. -1 when the window starts inside the string or
     * inside that run.
     */
    private static int stringStart(byte[] w, int from, int close) {
        for (int j = close - 1; j >= from; j--) {
            if (w[j] == '"') {
                int k = j - 1;
                while (k >= from && w[k] == '\\') {
                    k--;
                }
                if (k < from) {
                    return -1;
                }
                if ((j - 1 - k) % 2 == 0) {
                    return j;
                }
            }
        }
        return -1;
    }
}
