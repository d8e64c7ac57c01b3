package dev.berth.daemon.build.dockerfile;

import dev.berth.daemon.errors.BerthException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One typed Dockerfile instruction, as {@link DockerfileParser} produces it.
 *
 * <p>Words are kept as written (quotes, escapes and {@code $VAR} intact) in the fields that Docker
 * expands at build time; the engine calls {@link #expand} with the stage's variables right before
 * it executes the instruction, which substitutes variables and removes quotes in exactly those
 * fields (ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR, ARG defaults;
 * COPY/ADD heredoc bodies whose delimiter is not quoted). RUN, CMD, ENTRYPOINT, SHELL,
 * HEALTHCHECK, ONBUILD and MAINTAINER are never expanded: the shell (or nobody) does it.
 *
 * <p>{@link #original()} is the instruction as written, continuation lines joined, for
 * "Step N/M : ..." and the history's {@code created_by}; {@link #line()} is its first line (from 1).
 */
public sealed interface Instruction {
    String original();

    int line();

    /** The keyword in upper case ("RUN"). */
    default String keyword() {
        return getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT);
    }

    /** This instruction with build variables substituted where Docker substitutes them. */
    default Instruction expand(Expander e) { return this; }

    /** A key and a value of ENV or LABEL. */
    record KeyValue(String key, String value) {}

    /** One name of ARG, with its default or null. */
    record ArgDef(String name, String defaultValue) {}

    /**
     * {@code FROM [--platform=p] image [AS name]}. Expand with the meta ARGs only.
     *
     * @param stageName lowercased, or null
     * @param platform the --platform value, or null
     */
    record From(String image, String stageName, String platform, String original, int line) implements Instruction {
        @Override
        public From expand(Expander e) {
            return new From(e.word(image), stageName, e.word(platform), original, line);
        }
    }

    /**
     * {@code RUN}: exec form ({@code args}) or shell form ({@code script}).
     *
     * @param args the exec-form arguments; empty in shell form
     * @param commandLine the shell-form line as written (without heredoc bodies), null in exec form
     * @param script the shell-form text for {@code sh -c}, null in exec form. With heredocs it is
     *     text a POSIX shell understands: the command line followed by each heredoc body and its
     *     terminator; {@code RUN <<EOF} alone is just the body (tabs stripped for {@code <<-})
     * @param mounts the raw {@code --mount} values (e.g. {@code type=cache,target=/root/.cache})
     * @param network {@code --network} (default, none, host), or null
     * @param security {@code --security} (sandbox, insecure), or null
     */
    record Run(boolean execForm, List<String> args, String commandLine, String script, List<Heredoc> heredocs, List<String> mounts,
            String network, String security, List<String> devices, String original, int line) implements Instruction {
        public Run {
            args = List.copyOf(args);
            heredocs = List.copyOf(heredocs);
            mounts = List.copyOf(mounts);
            devices = List.copyOf(devices);
        }

        /**
         * For {@code RUN <<EOF} alone whose body starts with {@code #!}: the heredoc (tabs already
         * stripped for {@code <<-}) that BuildKit writes to a file of mode 0755 named after the
         * delimiter and runs with the shell ({@code sh -c /dev/pipes/EOF}) instead of feeding the
         * body to {@code sh -c}; null otherwise.
         */
        public Heredoc shebangScript() {
            if (execForm || heredocs.isEmpty() || !DockerfileParser.isHeredocWord(commandLine)) return null;
            return script.startsWith("#!") ? heredocs.getFirst().withContent(script) : null;
        }

        /** The {@code --mount} values parsed, their fields expanded with the stage's variables. */
        public List<RunMount> parsedMounts(Expander e) {
            return mounts.stream().map(m -> RunMount.parse(m, e)).toList();
        }
    }

    /** {@code CMD}: exec form ({@code args}) or shell form ({@code command}, null in exec form). */
    record Cmd(boolean execForm, List<String> args, String command, String original, int line) implements Instruction {
        public Cmd {
            args = List.copyOf(args);
        }
    }

    /**
     * {@code ENTRYPOINT}: exec form or shell form like {@link Cmd}. {@code ENTRYPOINT []} (or no
     * argument) is exec form with no arguments: it resets the entrypoint.
     */
    record Entrypoint(boolean execForm, List<String> args, String command, String original, int line)
            implements Instruction {
        public Entrypoint {
            args = List.copyOf(args);
        }
    }

    /** {@code ENV k=v ...} or the legacy {@code ENV k v} (the value is the rest of the line). */
    record Env(List<KeyValue> pairs, String original, int line) implements Instruction {
        public Env {
            pairs = List.copyOf(pairs);
        }

        @Override
        public Env expand(Expander e) {
            return new Env(expandPairs(pairs, e), original, line);
        }
    }

    /**
     * {@code ARG name[=default] ...}; {@link #expand} expands names and defaults, as the classic
     * builder does (BuildKit expands only defaults; names with {@code $} are not seen in practice).
     */
    record Arg(List<ArgDef> args, String original, int line) implements Instruction {
        public Arg {
            args = List.copyOf(args);
        }

        @Override
        public Arg expand(Expander e) {
            List<ArgDef> out = new ArrayList<>();
            for (ArgDef a : args) out.add(new ArgDef(e.word(a.name()), e.word(a.defaultValue())));
            return new Arg(out, original, line);
        }
    }

    record Label(List<KeyValue> pairs, String original, int line) implements Instruction {
        public Label {
            pairs = List.copyOf(pairs);
        }

        @Override
        public Label expand(Expander e) {
            return new Label(expandPairs(pairs, e), original, line);
        }
    }

    /** {@code EXPOSE port[/proto] ...}; expansion may split one word into several ports. */
    record Expose(List<String> ports, String original, int line) implements Instruction {
        public Expose {
            ports = List.copyOf(ports);
        }

        @Override
        public Expose expand(Expander e) {
            List<String> out = new ArrayList<>();
            for (String p : ports) out.addAll(e.words(p));
            return new Expose(out, original, line);
        }
    }

    record Workdir(String path, String original, int line) implements Instruction {
        @Override
        public Workdir expand(Expander e) {
            return new Workdir(e.word(path), original, line);
        }
    }

    record User(String user, String original, int line) implements Instruction {
        @Override
        public User expand(Expander e) {
            return new User(e.word(user), original, line);
        }
    }

    /** {@code VOLUME /a /b} or {@code VOLUME ["/a", "/b"]}; both forms are expanded. */
    record Volume(List<String> paths, String original, int line) implements Instruction {
        public Volume {
            paths = List.copyOf(paths);
        }

        @Override
        public Volume expand(Expander e) {
            List<String> out = new ArrayList<>();
            for (String p : paths) {
                String v = e.word(p);
                if (v.isBlank()) throw BerthException.invalid("VOLUME specified can not be an empty string");
                out.add(v);
            }
            return new Volume(out, original, line);
        }
    }

    /**
     * {@code COPY [flags] src... dest}; both forms (JSON array too) are expanded, except
     * {@code --from}, which Docker refuses to expand.
     *
     * @param sources the source paths (heredoc sources are in {@code heredocs})
     * @param heredocs inline files ({@code COPY <<EOF /dest} creates a file named EOF)
     * @param from {@code --from} (stage name, index or image), or null
     * @param chown {@code --chown}, or null
     * @param chmod {@code --chmod}, or null
     */
    record Copy(List<String> sources, String dest, List<Heredoc> heredocs, String from, String chown, String chmod,
            boolean link, boolean parents, List<String> excludes, String original, int line) implements Instruction {
        public Copy {
            sources = List.copyOf(sources);
            heredocs = List.copyOf(heredocs);
            excludes = List.copyOf(excludes);
        }

        @Override
        public Copy expand(Expander e) {
            if (from != null && !new ShellLex('\\').processWord(from, java.util.Map.of()).equals(from)) {
                throw BerthException.invalid("variable expansion is not supported for --from, define a new stage with"
                        + " FROM using ARG from global scope as a workaround");
            }
            return new Copy(expandAll(sources, e), e.word(dest), expandHeredocs(heredocs, e), from, e.word(chown),
                    e.word(chmod), link, parents, excludes, original, line);
        }
    }

    /**
     * {@code ADD [flags] src... dest}: like {@link Copy} plus URLs and archives.
     *
     * @param checksum {@code --checksum}, or null
     * @param keepGitDir {@code --keep-git-dir}, or null when not given
     * @param unpack {@code --unpack}, or null when not given
     */
    record Add(List<String> sources, String dest, List<Heredoc> heredocs, String chown, String chmod, boolean link,
            String checksum, Boolean keepGitDir, Boolean unpack, List<String> excludes, String original, int line)
            implements Instruction {
        public Add {
            sources = List.copyOf(sources);
            heredocs = List.copyOf(heredocs);
            excludes = List.copyOf(excludes);
        }

        @Override
        public Add expand(Expander e) {
            return new Add(expandAll(sources, e), e.word(dest), expandHeredocs(heredocs, e), e.word(chown),
                    e.word(chmod), link, e.word(checksum), keepGitDir, unpack, excludes, original, line);
        }
    }

    /**
     * {@code ONBUILD <instruction>}.
     *
     * @param expression the trigger as written (without ONBUILD, heredoc bodies appended), stored in
     *     the image's OnBuild and parsed later with {@link DockerfileParser#parseInstruction}
     */
    record Onbuild(String expression, String original, int line) implements Instruction {}

    /** {@code STOPSIGNAL sig}. */
    record Stopsignal(String signal, String original, int line) implements Instruction {
        @Override
        public Stopsignal expand(Expander e) {
            return new Stopsignal(e.word(signal), original, line);
        }
    }

    /**
     * {@code HEALTHCHECK NONE} or {@code HEALTHCHECK [flags] CMD ...}.
     *
     * @param test {@code ["NONE"]}, {@code ["CMD", args...]} or {@code ["CMD-SHELL", command]}
     * @param interval zero when not given (the runtime's default applies); likewise the others
     * @param retries 0 when not given
     */
    record Healthcheck(boolean none, List<String> test, Duration interval, Duration timeout, Duration startPeriod,
            Duration startInterval, int retries, String original, int line) implements Instruction {
        public Healthcheck {
            test = List.copyOf(test);
        }
    }

    /** {@code SHELL ["executable", "parameters"]} (JSON form only). */
    record Shell(List<String> shell, String original, int line) implements Instruction {
        public Shell {
            shell = List.copyOf(shell);
        }
    }

    /** {@code MAINTAINER name} (deprecated; sets the image's Author). */
    record Maintainer(String maintainer, String original, int line) implements Instruction {}

    private static List<KeyValue> expandPairs(List<KeyValue> pairs, Expander e) {
        List<KeyValue> out = new ArrayList<>();
        for (KeyValue kv : pairs) out.add(new KeyValue(e.word(kv.key()), e.word(kv.value())));
        return out;
    }

    private static List<String> expandAll(List<String> words, Expander e) {
        List<String> out = new ArrayList<>();
        for (String w : words) out.add(e.word(w));
        return out;
    }

    private static List<Heredoc> expandHeredocs(List<Heredoc> docs, Expander e) {
        List<Heredoc> out = new ArrayList<>();
        for (Heredoc h : docs) out.add(h.expand() ? h.withContent(e.heredoc(h.content())) : h);
        return out;
    }
}
