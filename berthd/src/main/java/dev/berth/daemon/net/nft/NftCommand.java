package dev.berth.daemon.net.nft;

import dev.berth.daemon.errors.BerthException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** {@link Nft} through the {@code nft} program (nftables 1.0+). */
public final class NftCommand implements Nft {
    private static final long TIMEOUT_SECONDS = 30;
    private final String nft;

    /** @param nft the program: a path, or a name looked up on PATH ({@code nft}) */
    public NftCommand(String nft) { this.nft = nft; }

    public NftCommand() { this("nft"); }

    @Override
    public void run(String script) {
        Result r = exec(List.of(nft, "-f", "-"), script);
        if (r.exit != 0) throw BerthException.internal("nft -f failed (exit " + r.exit + "): " + r.err.strip(), null);
    }

    @Override
    public Optional<String> listJson(String table) {
        Result r = exec(List.of(nft, "-j", "list", "table", "ip", table), null);
        if (r.exit == 0) return Optional.of(r.out);
        if (r.err.contains("No such file or directory")) return Optional.empty();
        throw BerthException.internal("nft list table ip " + table + " failed (exit " + r.exit + "): " + r.err.strip(), null);
    }

    private record Result(int exit, String out, String err) {}

    private Result exec(List<String> cmd, String stdin) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new BerthException.Unavailable("cannot run " + nft + " (is nftables installed?): " + e.getMessage());
        }
        try {
            // stdout and stderr are drained concurrently so neither can fill its pipe and stall nft
            String[] errText = {""};
            Thread err = Thread.ofVirtual().start(() -> errText[0] = drain(p.getErrorStream()));
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            String out = drain(p.getInputStream());
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw BerthException.internal(String.join(" ", cmd) + " did not finish in " + TIMEOUT_SECONDS + " s", null);
            }
            err.join();
            return new Result(p.exitValue(), out, errText[0]);
        } catch (IOException e) {
            p.destroyForcibly();
            throw BerthException.internal(String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw BerthException.internal(String.join(" ", cmd) + ": interrupted", e);
        }
    }

    private static String drain(InputStream s) {
        try (s) {
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
