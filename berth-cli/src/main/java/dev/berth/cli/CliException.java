package dev.berth.cli;

/** Ends a command with {@code exitCode}; the message (if any) goes to stderr. */
public final class CliException extends Exception {
    private final int exitCode;

    public CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /** An already-reported failure: nothing more to print. */
    public static CliException silent(int exitCode) { return new CliException(null, exitCode); }

    public int exitCode() { return exitCode; }
}
