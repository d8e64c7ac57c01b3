package dev.berth.cli.format;

import java.util.Comparator;

/**
 * The "natural" string order the docker CLI sorts network names and port mappings with:
 * runs of digits compare by value ("net9" before "net10"; with equal values, fewer leading
 * zeros first), digits sort before other characters, everything else compares by UTF-16 unit
 * (bytewise for the ASCII that names and ports are).
 */
public final class NaturalOrder implements Comparator<String> {
    public static final NaturalOrder INSTANCE = new NaturalOrder();

    private NaturalOrder() {}

    @Override
    public int compare(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i), y = b.charAt(j);
            boolean dx = digit(x), dy = digit(y);
            if (dx != dy) return dx ? -1 : 1;
            if (!dx) {
                if (x != y) return Character.compare(x, y);
                i++;
                j++;
                continue;
            }
            int zi = i, zj = j;
            while (i < a.length() && a.charAt(i) == '0') i++;
            while (j < b.length() && b.charAt(j) == '0') j++;
            int si = i, sj = j;
            while (i < a.length() && digit(a.charAt(i))) i++;
            while (j < b.length() && digit(b.charAt(j))) j++;
            int li = i - si, lj = j - sj;
            if (li != lj) return Integer.compare(li, lj);
            int c = a.substring(si, i).compareTo(b.substring(sj, j));
            if (c != 0) return c;
            if (si - zi != sj - zj) return Integer.compare(si - zi, sj - zj);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static boolean digit(char c) { return c >= '0' && c <= '9'; }
}
