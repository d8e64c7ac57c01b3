package dev.berth.cli.commands;

/**
 * A flag value the docker CLI rejects after parsing (a bad port spec, conflicting network
 * options); the message is docker's. {@code run}/{@code create} report it as
 * {@code berth: <message>} with exit code 125, other commands as the plain message.
 */
final class OptionException extends Exception {
    OptionException(String message) { super(message); }
}
