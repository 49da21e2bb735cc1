package io.aiscope.workloads.model;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The tiny model's word vocabulary: token 0 is the beginning-of-sequence marker, the others are pseudo-words made
 * of random syllables. A word tokenizer: every whitespace-separated word is one token, a word outside the
 * vocabulary is hashed onto one, so any text has a predictable token count (its word count).
 */
public final class Vocabulary {
    public static final int BOS = 0;

    private static final String[] ONSETS = {"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
            "ch", "sh", "th", "br", "kr", "st", "pl", "gr"};
    private static final String[] VOWELS = {"a", "e", "i", "o", "u", "ai", "ou", "ea"};
    private static final String[] CODAS = {"", "", "", "n", "r", "s", "l", "m"};

    private final List<String> words;
    private final Map<String, Integer> ids = new HashMap<>();

    private Vocabulary(List<String> words) {
        this.words = List.copyOf(words);
        for (int i = 0; i < this.words.size(); i++) ids.put(this.words.get(i), i);
    }

    /** {@code size} distinct words, the same for the same seed. */
    public static Vocabulary generate(int size, long seed) {
        Random random = new Random(seed);
        Set<String> words = new LinkedHashSet<>();
        words.add("<s>");
        while (words.size() < size) {
            StringBuilder w = new StringBuilder();
            for (int s = 1 + random.nextInt(3); s > 0; s--) {
                w.append(ONSETS[random.nextInt(ONSETS.length)]).append(VOWELS[random.nextInt(VOWELS.length)])
                        .append(CODAS[random.nextInt(CODAS.length)]);
            }
            words.add(w.toString());
        }
        return new Vocabulary(List.copyOf(words));
    }

    /** The form stored in the model file's metadata: the words in id order, separated by spaces. */
    public static Vocabulary parse(String spaceSeparated) {
        return new Vocabulary(Arrays.asList(spaceSeparated.split(" ")));
    }

    public String serialize() {
        return String.join(" ", words);
    }

    public int size() {
        return words.size();
    }

    /** One token per whitespace-separated word; unknown words map onto a regular word by their hash. */
    public long[] encode(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) return new long[0];
        return Arrays.stream(trimmed.split("\\s+"))
                .map(w -> w.toLowerCase(Locale.ROOT))
                .mapToLong(w -> ids.getOrDefault(w, 1 + Math.floorMod(w.hashCode(), size() - 1)))
                .toArray();
    }

    /** A token as generated text: the word with a leading space, as subword vocabularies print words. */
    public String text(int token) {
        return " " + words.get(token);
    }
}
