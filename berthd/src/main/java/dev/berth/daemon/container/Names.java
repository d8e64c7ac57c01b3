package dev.berth.daemon.container;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Container names: Docker's validation rule and generated adjective_surname names. */
public final class Names {
    public static final Pattern VALID = Pattern.compile("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$");
    private static final List<String> LEFT = List.of("admiring", "brave", "clever", "dazzling", "eager", "focused",
            "gallant", "happy", "inspiring", "jolly", "keen", "lucid", "modest", "nifty", "optimistic", "pensive",
            "quirky", "relaxed", "serene", "tender", "upbeat", "vibrant", "wizardly", "youthful", "zealous");
    private static final List<String> RIGHT = List.of("archimedes", "babbage", "curie", "darwin", "euclid", "fermi",
            "galileo", "hopper", "noether", "jennings", "kepler", "lovelace", "mcclintock", "newton", "ostrom",
            "pasteur", "ritchie", "shannon", "turing", "varahamihira", "wozniak", "yalow", "zhukovsky", "hamilton", "torvalds");

    private Names() {}

    public static String random(int attempt) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String n = LEFT.get(r.nextInt(LEFT.size())) + "_" + RIGHT.get(r.nextInt(RIGHT.size()));
        return attempt > 0 ? n + r.nextInt(10) : n;
    }
}
