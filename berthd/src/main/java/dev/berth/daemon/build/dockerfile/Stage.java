package dev.berth.daemon.build.dockerfile;

import java.util.List;

/**
 * One build stage: its FROM and the instructions up to the next FROM.
 *
 * @param name the stage name from {@code FROM ... AS name}, lowercased, or null
 * @param index the stage's position in the Dockerfile, from 0 ({@code COPY --from=0})
 */
public record Stage(String name, Instruction.From from, List<Instruction> instructions, int index) {
    public Stage {
        instructions = List.copyOf(instructions);
    }
}
