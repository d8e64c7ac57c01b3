package dev.berth.cli;

/** Entry point of the {@code berth} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        Cli cli = Cli.system();
        int code = Commands.run(cli, args);
        cli.out.flush();
        cli.err.flush();
        System.exit(code);
    }
}
