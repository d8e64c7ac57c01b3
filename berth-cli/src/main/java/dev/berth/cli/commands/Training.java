package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.Commands;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.format.ListFormatter;
import dev.berth.cli.http.DaemonClient;
import dev.berth.cli.http.Endpoint;
import dev.berth.cli.http.HttpResponse;
import dev.berth.cli.json.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The hidden {@code __train} command run by bin/berth-train-aot to record the AOT cache: it
 * drives the common start-up paths (flag parsing, JSON, templates, tables, the HTTP codec,
 * a failed socket connect) on sample data, without a daemon, and prints nothing.
 */
public final class Training {
    private Training() {}

    static final String CONTAINERS = """
            [{"Id":"8dfafdbc3a40e7d1f5a3a9bde2c3a9e6c1f0b8f4b9a1e5c2d3f4a5b6c7d8e9f0","Names":["/boring_feynman"],
              "Image":"busybox","ImageID":"sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741",
              "Command":"sh -c 'while true; do echo hello; sleep 1; done'","Created":1700000000,"Ports":[
              {"IP":"0.0.0.0","PrivatePort":80,"PublicPort":8080,"Type":"tcp"},{"PrivatePort":443,"Type":"tcp"}],
              "Labels":{"a":"b"},"State":"running","Status":"Up 2 minutes","SizeRw":12,"SizeRootFs":4261234,
              "HostConfig":{"NetworkMode":"default"},"NetworkSettings":{"Networks":{"bridge":{"IPAddress":"172.17.0.2"}}},
              "Mounts":[]}]""";
    static final String IMAGES = """
            [{"Id":"sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741","ParentId":"",
              "RepoTags":["busybox:latest","busybox:1.36"],"RepoDigests":[],"Created":1690000000,"Size":4261234,
              "SharedSize":-1,"VirtualSize":4261234,"Labels":null,"Containers":-1},
             {"Id":"sha256:aaaa9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741","RepoTags":[],
              "Created":1600000000,"Size":123456789,"SharedSize":-1,"Containers":-1}]""";
    static final String INSPECT = """
            {"Id":"8dfafdbc3a40","Created":"2024-01-01T00:00:00.000000000Z","Path":"sh","Args":["-c","echo hi"],
             "State":{"Status":"exited","Running":false,"ExitCode":0,"Pid":0},"Config":{"Tty":false,"OpenStdin":false,
             "Env":["PATH=/bin"],"Cmd":["sh"],"Labels":{}},"HostConfig":{"AutoRemove":false},"Mounts":[]}""";
    static final String NETWORKS = """
            [{"Name":"bridge","Id":"9f2d4a4cd1c1d1b9b1c0e4cfb4b43a6b10b7cf2de1d1a86e2b9a8c1e3e4f5a6b","Created":"2025-01-02T03:04:05.123456789Z",
              "Scope":"local","Driver":"bridge","EnableIPv4":true,"EnableIPv6":false,"Internal":false,"Labels":{}},
             {"Name":"n1","Id":"1111111111111111111111111111111111111111111111111111111111111111","Created":"2025-01-02T03:04:05Z",
              "Scope":"local","Driver":"bridge","EnableIPv4":true,"EnableIPv6":false,"Internal":false,"Labels":{"a":"b"}}]""";
    static final String PORTS = """
            {"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"},{"HostIp":"::","HostPort":"8080"}],"443/tcp":null}""";
    static final String VERSION = """
            {"Platform":{"Name":"Berth Engine"},"Components":[{"Name":"Engine","Version":"27.5.1","Details":{
             "ApiVersion":"1.47","MinAPIVersion":"1.24","GoVersion":"java25","GitCommit":"","BuildTime":"",
             "Os":"linux","Arch":"amd64","Experimental":"false"}}],"Version":"27.5.1","ApiVersion":"1.47"}""";
    static final String INFO = """
            {"ID":"x","Containers":1,"ContainersRunning":1,"ContainersPaused":0,"ContainersStopped":0,"Images":2,
             "Driver":"overlay","DriverStatus":[["Backing Filesystem","extfs"]],"MemTotal":4123456789,"NCPU":2,
             "Runtimes":{"runc":{}},"Warnings":[]}""";
    static final String EVENT = """
            {"status":"create","id":"8dfa","from":"busybox","Type":"container","Action":"create",
             "Actor":{"ID":"8dfa","Attributes":{"name":"x","image":"busybox"}},"scope":"local","time":1700000000,
             "timeNano":1700000000123456789}
            """;

    static final String PULL = """
            {"status":"Pulling from library/busybox","id":"latest"}
            {"status":"Pulling fs layer","progressDetail":{},"id":"a1b2c3d4e5f6"}
            {"status":"Downloading","progressDetail":{"current":1024,"total":2048,"start":1700000000},"id":"a1b2c3d4e5f6"}
            {"status":"Pull complete","progressDetail":{},"id":"a1b2c3d4e5f6"}
            {"status":"Digest: sha256:abc"}
            """;

    static final String BUILD = """
            {"stream":"Step 1/1 : FROM busybox\\n"}
            {"stream":" ---\\u003e 3f57d9401f8d\\n"}
            {"aux":{"ID":"sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741"}}
            {"stream":"Successfully built 3f57d9401f8d\\n"}
            """;

    public static int run(Cli real, ParsedArgs args) throws IOException {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        Map<String, String> env = new HashMap<>(real.env);
        env.put("BERTH_HOST", "unix:///nonexistent/berth-train.sock");
        env.put("DOCKER_CONFIG", "/nonexistent/berth-train-config");
        Cli cli = new Cli(sink, sink, new ByteArrayInputStream(new byte[0]), env);
        for (int round = 0; round < 3; round++) {
            // command paths that reach the (missing) daemon, then the error handling
            Commands.run(cli, new String[] {"version"});
            Commands.run(cli, new String[] {"ps", "-a"});
            Commands.run(cli, new String[] {"images"});
            Commands.run(cli, new String[] {"run", "--rm", "-e", "A=1", "-l", "x=y", "--name", "t", "busybox", "echo", "hi"});
            Commands.run(cli, new String[] {"run", "-d", "busybox"});
            Commands.run(cli, new String[] {"run", "-d", "-p", "8080:80", "-p", "127.0.0.1::53/udp", "--network", "n1",
                "--network-alias", "web", "--dns", "1.1.1.1", "--add-host", "h:host-gateway", "busybox"});
            Commands.run(cli, new String[] {"network", "ls"});
            Commands.run(cli, new String[] {"network", "create", "--subnet", "10.5.0.0/16", "--gateway", "10.5.0.1", "n1"});
            Commands.run(cli, new String[] {"port", "x", "80"});
            Commands.run(cli, new String[] {"logs", "-f", "x"});
            Commands.run(cli, new String[] {"rm", "-f", "x"});
            Commands.run(cli, new String[] {"pull", "127.0.0.1:5000/app:1"});
            Commands.run(cli, new String[] {"history", "busybox"});
            Commands.run(cli, new String[] {"inspect", "x"});
            Commands.run(cli, new String[] {"import", "-", "busybox"});
            Commands.run(cli, new String[] {"build", "-t", "x:1", "--build-arg", "A=1", "--label", "a=b", "-"});
            Commands.run(cli, new String[] {"container", "ls", "--bogus"});
            Commands.run(cli, new String[] {"rm"});
            Commands.run(cli, new String[] {"nope"});
            Commands.run(cli, new String[] {"run", "--help"});
            // formatting on sample data
            long now = System.currentTimeMillis();
            List<Map<String, Object>> rows = new java.util.ArrayList<>();
            for (Object c : Json.list(Json.parse(CONTAINERS))) rows.add(PsCommand.row(c, true, now));
            sink.print(ListFormatter.render("", PsCommand.DEFAULT_TABLE, rows, PsCommand.headers()));
            sink.print(ListFormatter.render("json", PsCommand.DEFAULT_TABLE, rows, PsCommand.headers()));
            sink.print(ListFormatter.render("table {{.ID}}\\t{{.Names}}\\t{{.Label \"a\"}}", PsCommand.DEFAULT_TABLE, rows, PsCommand.headers()));
            List<Map<String, Object>> images = ImageCommands.rows(Json.list(Json.parse(IMAGES)), true, now, false, false);
            sink.print(ListFormatter.render("", ImageCommands.DEFAULT_TABLE, images, ImageCommands.headers()));
            sink.print(ListFormatter.render("{{.Repository}}:{{.Tag}}", ImageCommands.DEFAULT_TABLE, images, ImageCommands.headers()));
            sink.println(Json.indent("[" + INSPECT + "]", "    "));
            sink.println(dev.berth.cli.format.GoTemplate.parse("{{.State.Status}} {{json .Config}} {{range $k, $v := .Config.Labels}}{{$k}}{{end}}{{if .State.Running}}up{{else}}down{{end}}")
                    .execute(Json.parse(INSPECT)));
            List<Map<String, Object>> networks = new java.util.ArrayList<>();
            for (Object n : Json.list(Json.parse(NETWORKS))) networks.add(NetworkCommands.row(n, true));
            sink.print(ListFormatter.render("", NetworkCommands.DEFAULT_TABLE, networks, NetworkCommands.headers()));
            sink.print(PortCommand.all(Json.obj(Json.parse(PORTS))));
            sink.print(SystemCommands.renderClient(SystemCommands.clientVersion()));
            sink.print(SystemCommands.renderServer(Json.parse(VERSION)));
            sink.print(SystemCommands.renderInfo(Json.parse(INFO)));
            sink.print(SystemCommands.eventLine(Json.parse(EVENT)));
            sink.print(dev.berth.cli.format.Timestamps.get("10m", now));
            sink.print(dev.berth.cli.format.Timestamps.get("2024-01-02T03:04:05Z", now));
            // the HTTP codec and stream framing
            byte[] chunked = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\n{\"Sta\r\nc\r\ntusCode\":0}\n\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            HttpResponse r = HttpResponse.read(chunked, "POST");
            sink.print(Json.parse(r.bodyString()));
            byte[] framed = {1, 0, 0, 0, 0, 0, 0, 3, 'h', 'i', '\n', 2, 0, 0, 0, 0, 0, 0, 1, '!'};
            AttachSession.demux(new ByteArrayInputStream(framed), sink, sink);
            InputStream progress = new ByteArrayInputStream(("{\"status\":\"Importing\",\"progressDetail\":{\"current\":1},\"progress\":\"[=>  ]\"}\n"
                    + "{\"status\":\"sha256:abc\"}\n").getBytes(StandardCharsets.UTF_8));
            try {
                JsonMessages.display(cli, progress, false);
                JsonMessages.display(new ByteArrayInputStream(PULL.getBytes(StandardCharsets.UTF_8)), sink, true, null);
                JsonMessages.displayWithErrorCode(new ByteArrayInputStream(BUILD.getBytes(StandardCharsets.UTF_8)), sink, null);
            } catch (dev.berth.cli.CliException ignored) {
                // not expected with this sample
            }
            try {
                new DaemonClient(Endpoint.parse("unix:///nonexistent/train.sock")).json("GET", "/_ping", null);
            } catch (IOException expected) {
                sink.print(expected.getMessage());
            }
        }
        sink.flush();
        return 0;
    }
}
