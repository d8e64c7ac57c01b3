package dev.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.cli.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays what the real docker CLI 28 did (src/test/resources/docker28/*.json, captured by
 * src/test/docker28/capture.py against a fake daemon) through berth against the same canned
 * daemon answers: exit code, stdout, stderr ("docker" → "berth" in usage and error prefixes)
 * and every request — method, target with query, and body byte for byte.
 *
 * <p>Requests docker makes that berth leaves out, on purpose: {@code /_ping} (version
 * negotiation; berth speaks 1.47), the {@code wait} docker run -d registers before start, and
 * the inspect docker network rm does before each DELETE (a swarm ingress warning).
 */
class Docker28FixturesTest {
    @TestFactory
    Stream<DynamicTest> createBodies() throws IOException { return suite("create"); }

    @TestFactory
    Stream<DynamicTest> networkCommands() throws IOException { return suite("network"); }

    @TestFactory
    Stream<DynamicTest> portAndPs() throws IOException { return suite("port"); }

    @TestFactory
    Stream<DynamicTest> containerFiles() throws IOException { return suite("files"); }

    @TestFactory
    Stream<DynamicTest> buildAndBuilderPrune() throws IOException { return suite("build"); }

    private Stream<DynamicTest> suite(String name) throws IOException {
        Object fixture;
        try (InputStream in = getClass().getResourceAsStream("/docker28/" + name + ".json")) {
            fixture = Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        Function<FakeDaemon.Request, FakeDaemon.Response> daemon = cannedDaemon(Json.list(fixture, "responses"));
        return Json.list(fixture, "cases").stream().map(c -> DynamicTest.dynamicTest(
                String.join(" ", strings(Json.list(c, "args"))), () -> replay(c, daemon)));
    }

    private static void replay(Object c, Function<FakeDaemon.Request, FakeDaemon.Response> answers) throws IOException {
        List<String> args = strings(Json.list(c, "args"));
        try (FakeDaemon d = new FakeDaemon()) {
            d.answer(answers);
            FakeDaemon.Result r = d.berth(Json.str(c, "stdin"), args.toArray(String[]::new));
            String what = String.join(" ", args) + "\nstderr: " + r.err();
            assertEquals(berth(Json.str(c, "out")), r.out(), what);
            assertEquals(berth(Json.str(c, "err")), r.err(), what);
            assertEquals(Json.num(c, "code"), r.code(), what);
            List<String> expected = new ArrayList<>();
            List<Object> docker = Json.list(c, "requests");
            for (int i = 0; i < docker.size(); i++) {
                Object q = docker.get(i);
                String method = Json.str(q, "method"), target = Json.str(q, "target");
                if (target.matches("/v[0-9.]+/containers/[^/]+/wait.*")) continue;
                if (method.equals("GET") && i + 1 < docker.size() && Json.str(docker.get(i + 1), "method").equals("DELETE")
                        && Json.str(docker.get(i + 1), "target").equals(target)) continue;
                expected.add(method + " " + target + "\n" + Json.str(q, "body").stripTrailing());
            }
            List<String> actual = new ArrayList<>();
            for (FakeDaemon.Request q : d.requests) actual.add(q.method() + " " + TarListing.normalize(q.target()) + "\n" + q.body().stripTrailing());
            assertEquals(String.join("\n\n", expected), String.join("\n\n", actual), what);
        }
    }

    /** The same answers as capture.py's fake daemon. */
    private static Function<FakeDaemon.Request, FakeDaemon.Response> cannedDaemon(List<Object> responses) {
        record Rule(String method, Pattern target, int status, Object body) {}
        List<Rule> rules = new ArrayList<>();
        for (Object r : responses) {
            List<Object> l = Json.list(r);
            rules.add(new Rule((String) l.get(0), Pattern.compile((String) l.get(1)), ((Number) l.get(2)).intValue(), l.get(3)));
        }
        return q -> {
            for (Rule rule : rules) {
                if (rule.method().equals(q.method()) && rule.target().matcher(q.target()).find()) {
                    return rule.body() instanceof String s ? new FakeDaemon.Response(rule.status(), "text/plain", s)
                            : FakeDaemon.Response.json(rule.status(), Json.toJson(rule.body()));
                }
            }
            if (q.path().endsWith("/containers/create")) return FakeDaemon.Response.json(201, "{\"Id\":\"x\",\"Warnings\":[]}");
            return FakeDaemon.Response.json(404, "{\"message\":\"page not found\"}");
        };
    }

    /** docker 28 prints this before a legacy build; berth is the builder and does not. */
    private static final String LEGACY_BUILDER_NOTICE = """
            DEPRECATED: The legacy builder is deprecated and will be removed in a future release.
                        Install the buildx component to build images with BuildKit:
                        https://docs.docker.com/go/buildx/

            """;

    /** Docker's output with berth's name where the CLI names itself. */
    private static String berth(String s) {
        return s.replace(LEGACY_BUILDER_NOTICE, "").replaceAll("(?m)^docker: ", "berth: ").replace("'docker ", "'berth ").replace("Usage:  docker ", "Usage:  berth ").replace("\n\tdocker ", "\n\tberth ");
    }

    private static List<String> strings(List<Object> l) {
        List<String> out = new ArrayList<>();
        for (Object o : l) out.add((String) o);
        return out;
    }
}
