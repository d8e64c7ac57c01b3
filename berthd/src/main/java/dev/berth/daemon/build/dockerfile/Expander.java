package dev.berth.daemon.build.dockerfile;

import java.util.List;
import java.util.Map;

/**
 * Build-time variable substitution for one instruction: the stage's current environment (ENV and
 * ARG values in scope) and the Dockerfile's escape character. See {@link Instruction#expand}.
 */
public final class Expander {
    private final char escape;
    private final Map<String, String> env;

    public Expander(char escape, Map<String, String> env) {
        this.escape = escape;
        this.env = Map.copyOf(env);
    }

    public Map<String, String> env() { return env; }

    /** One word: variables substituted, quotes and escapes removed. */
    public String word(String word) {
        return word == null ? null : new ShellLex(escape).processWord(word, env);
    }

    /** Several words split on unquoted whitespace (EXPOSE). */
    public List<String> words(String text) {
        return new ShellLex(escape).processWords(text, env);
    }

    /**
     * A COPY/ADD heredoc body with an unquoted delimiter: variables are substituted, quotes are
     * ordinary characters and {@code \} escapes the next character (BuildKit's rules, whatever the
     * escape directive says).
     */
    public String heredoc(String body) {
        return new ShellLex('\\').skipProcessQuotes(true).processWord(body, env);
    }
}
