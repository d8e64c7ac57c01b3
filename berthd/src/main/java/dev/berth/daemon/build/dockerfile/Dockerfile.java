package dev.berth.daemon.build.dockerfile;

import java.util.List;

/**
 * A parsed Dockerfile.
 *
 * @param metaArgs the ARG instructions before the first FROM (usable in FROM lines)
 * @param stages the build stages in order; never empty
 * @param syntax the {@code # syntax=} directive, or null (informational: Berth has one frontend)
 * @param escape the escape character ({@code \} or {@code `}), needed to expand variables
 * @param warnings non-fatal findings, Docker's wording ("Empty continuation line found in: ...")
 */
public record Dockerfile(List<Instruction.Arg> metaArgs, List<Stage> stages, String syntax, char escape,
        List<String> warnings) {
    public Dockerfile {
        metaArgs = List.copyOf(metaArgs);
        stages = List.copyOf(stages);
        warnings = List.copyOf(warnings);
    }

    /** The stage with this name (case-insensitive) or index, or null. */
    public Stage stage(String nameOrIndex) {
        for (Stage s : stages) {
            if (s.name() != null && s.name().equalsIgnoreCase(nameOrIndex)) return s;
        }
        if (nameOrIndex.matches("\\d{1,9}")) {
            int i = Integer.parseInt(nameOrIndex);
            if (i < stages.size()) return stages.get(i);
        }
        return null;
    }

    /** An expander for the escape character of this file. */
    public Expander expander(java.util.Map<String, String> env) { return new Expander(escape, env); }
}
