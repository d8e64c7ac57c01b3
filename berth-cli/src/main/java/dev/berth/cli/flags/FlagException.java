package dev.berth.cli.flags;

/** A command-line usage error (unknown flag, missing value, wrong argument count). */
public final class FlagException extends Exception {
    public FlagException(String message) { super(message); }
}
