package dev.berth.cli;

/** Entry point of the {@code berth} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (args.length > 0 && !args[0].startsWith("-") && !args[0].equals("__train")) new Prewarm().start();
        Cli cli = Cli.system();
        int code = Commands.run(cli, args);
        cli.out.flush();
        cli.err.flush();
        System.exit(code);
    }

    /**
     * Initializes the JDK's unix-socket support on a second core while the command line is
     * parsed: its static initializer seeds a SecureRandom (security providers), which is the
     * largest single start-up cost of a daemon call.
     */
    private static final class Prewarm extends Thread {
        Prewarm() {
            super("berth-prewarm");
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                Class.forName("sun.nio.ch.UnixDomainSockets", true, null);
            } catch (ClassNotFoundException | LinkageError ignored) {
                // only an optimisation
            }
        }
    }
}
