package dev.berth.cli;

import dev.berth.cli.commands.ArchiveCommands;
import dev.berth.cli.commands.BuildCommand;
import dev.berth.cli.commands.ContainerCommands;
import dev.berth.cli.commands.ContainerFileCommands;
import dev.berth.cli.commands.CopyCommand;
import dev.berth.cli.commands.ImageCommands;
import dev.berth.cli.commands.ImageHistory;
import dev.berth.cli.commands.ImagePrune;
import dev.berth.cli.commands.InspectCommand;
import dev.berth.cli.commands.LogsCommand;
import dev.berth.cli.commands.NetworkCommands;
import dev.berth.cli.commands.NetworkOptions;
import dev.berth.cli.commands.PortCommand;
import dev.berth.cli.commands.PsCommand;
import dev.berth.cli.commands.RegistryCommands;
import dev.berth.cli.commands.RunCommand;
import dev.berth.cli.commands.SystemCommands;
import dev.berth.cli.commands.Training;
import dev.berth.cli.flags.FlagException;
import dev.berth.cli.flags.FlagSpec;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.flags.Validators;
import dev.berth.cli.http.DaemonException;
import dev.berth.cli.http.DaemonUnreachableException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * The command table: names and management-command aliases, usage text, flag tables,
 * argument counts, dispatch, and docker's error conventions (flag errors exit 125,
 * argument-count errors and daemon errors exit 1).
 */
public final class Commands {
    private Commands() {}

    /** One command: {@code min}/{@code max} positional arguments ({@code max} -1 = unbounded). */
    record Command(String id, String usage, String description, int min, int max, String aliases) {}

    private static final String[][] TOP = {
        {"attach", "Attach local standard input, output, and error streams to a running container"},
        {"create", "Create a new container"},
        {"events", "Get real time events from the server"},
        {"images", "List images"},
        {"import", "Import the contents from a tarball to create a filesystem image"},
        {"info", "Display system-wide information"},
        {"inspect", "Return low-level information on Berth objects"},
        {"kill", "Kill one or more running containers"},
        {"logs", "Fetch the logs of a container"},
        {"ps", "List containers"},
        {"rename", "Rename a container"},
        {"restart", "Restart one or more containers"},
        {"rm", "Remove one or more containers"},
        {"rmi", "Remove one or more images"},
        {"run", "Create and run a new container from an image"},
        {"start", "Start one or more stopped containers"},
        {"stop", "Stop one or more running containers"},
        {"tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"},
        {"version", "Show the Berth version information"},
        {"wait", "Block until one or more containers stop, then print their exit codes"},
        {"pull", "Download an image from a registry"},
        {"push", "Upload an image to a registry"},
        {"login", "Authenticate to a registry"},
        {"logout", "Log out from a registry"},
        {"history", "Show the history of an image"},
        {"save", "Save one or more images to a tar archive (streamed to STDOUT by default)"},
        {"load", "Load an image from a tar archive or STDIN"},
        {"port", "List port mappings or a specific mapping for the container"},
        {"build", "Build an image from a Dockerfile"},
        {"diff", "Inspect changes to files or directories on a container's filesystem"},
        {"export", "Export a container's filesystem as a tar archive"},
        {"cp", "Copy files/folders between a container and the local filesystem"},
        {"commit", "Create a new image from a container's changes"},
    };

    private static final String NETWORK_HELP = """

            Usage:  berth network COMMAND

            Manage networks

            Commands:
              connect     Connect a container to a network
              create      Create a network
              disconnect  Disconnect a container from a network
              inspect     Display detailed information on one or more networks
              ls          List networks
              prune       Remove all unused networks
              rm          Remove one or more networks

            Run 'berth network COMMAND --help' for more information on a command.
            """;

    private static final String BUILDER_HELP = """

            Usage:  berth builder COMMAND

            Manage builds

            Commands:
              build       Build an image from a Dockerfile
              prune       Remove build cache

            Run 'berth builder COMMAND --help' for more information on a command.
            """;

    static Command lookup(String id) {
        return switch (id) {
            case "attach" -> new Command(id, "[OPTIONS] CONTAINER", TOP[0][1], 1, 1, "berth container attach, berth attach");
            case "create" -> new Command(id, "[OPTIONS] IMAGE [COMMAND] [ARG...]", TOP[1][1], 1, -1, "berth container create, berth create");
            case "events" -> new Command(id, "[OPTIONS]", TOP[2][1], 0, 0, "berth system events, berth events");
            case "images" -> new Command(id, "[OPTIONS] [REPOSITORY[:TAG]]", TOP[3][1], 0, 1, "berth image ls, berth image list, berth images");
            case "import" -> new Command(id, "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]", TOP[4][1], 1, 2, "berth image import, berth import");
            case "info" -> new Command(id, "[OPTIONS]", TOP[5][1], 0, 0, "berth system info, berth info");
            case "inspect" -> new Command(id, "[OPTIONS] NAME|ID [NAME|ID...]", TOP[6][1], 1, -1, null);
            case "container-inspect" -> new Command(id, "[OPTIONS] CONTAINER [CONTAINER...]", "Display detailed information on one or more containers", 1, -1, null);
            case "image-inspect" -> new Command(id, "[OPTIONS] IMAGE [IMAGE...]", "Display detailed information on one or more images", 1, -1, null);
            case "kill" -> new Command(id, "[OPTIONS] CONTAINER [CONTAINER...]", TOP[7][1], 1, -1, "berth container kill, berth kill");
            case "logs" -> new Command(id, "[OPTIONS] CONTAINER", TOP[8][1], 1, 1, "berth container logs, berth logs");
            case "ps" -> new Command(id, "[OPTIONS]", TOP[9][1], 0, 0, "berth container ls, berth container list, berth container ps, berth ps");
            case "rename" -> new Command(id, "CONTAINER NEW_NAME", TOP[10][1], 2, 2, "berth container rename, berth rename");
            case "restart" -> new Command(id, "[OPTIONS] CONTAINER [CONTAINER...]", TOP[11][1], 1, -1, "berth container restart, berth restart");
            case "rm" -> new Command(id, "[OPTIONS] CONTAINER [CONTAINER...]", TOP[12][1], 1, -1, "berth container rm, berth container remove, berth rm");
            case "rmi" -> new Command(id, "[OPTIONS] IMAGE [IMAGE...]", TOP[13][1], 1, -1, "berth image rm, berth image remove, berth rmi");
            case "run" -> new Command(id, "[OPTIONS] IMAGE [COMMAND] [ARG...]", TOP[14][1], 1, -1, "berth container run, berth run");
            case "start" -> new Command(id, "[OPTIONS] CONTAINER [CONTAINER...]", TOP[15][1], 1, -1, "berth container start, berth start");
            case "stop" -> new Command(id, "[OPTIONS] CONTAINER [CONTAINER...]", TOP[16][1], 1, -1, "berth container stop, berth stop");
            case "tag" -> new Command(id, "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", TOP[17][1], 2, 2, "berth image tag, berth tag");
            case "version" -> new Command(id, "[OPTIONS]", TOP[18][1], 0, 0, null);
            case "wait" -> new Command(id, "CONTAINER [CONTAINER...]", TOP[19][1], 1, -1, "berth container wait, berth wait");
            case "pull" -> new Command(id, "[OPTIONS] NAME[:TAG|@DIGEST]", TOP[20][1], 1, 1, "berth image pull, berth pull");
            case "push" -> new Command(id, "[OPTIONS] NAME[:TAG]", TOP[21][1], 1, 1, "berth image push, berth push");
            case "login" -> new Command(id, "[OPTIONS] [SERVER]", TOP[22][1] + ".\nDefaults to Docker Hub if no server is specified.", 0, 1, null);
            case "logout" -> new Command(id, "[SERVER]", TOP[23][1] + ".\nIf no server is specified, Docker Hub is the default.", 0, 1, null);
            case "history" -> new Command(id, "[OPTIONS] IMAGE", TOP[24][1], 1, 1, "berth image history, berth history");
            case "image-prune" -> new Command(id, "[OPTIONS]", "Remove unused images", 0, 0, null);
            case "save" -> new Command(id, "[OPTIONS] IMAGE [IMAGE...]", TOP[25][1], 1, -1, "berth image save, berth save");
            case "load" -> new Command(id, "[OPTIONS]", TOP[26][1], 0, 0, "berth image load, berth load");
            case "port" -> new Command(id, "CONTAINER [PRIVATE_PORT[/PROTO]]", TOP[27][1], 1, 2, "berth container port, berth port");
            case "build" -> new Command(id, "[OPTIONS] PATH | URL | -", TOP[28][1], 1, 1, "berth image build, berth build, berth builder build");
            case "builder-prune" -> new Command(id, "", "Remove build cache", 0, 0, null);
            case "diff" -> new Command(id, "CONTAINER", TOP[29][1], 1, 1, "berth container diff, berth diff");
            case "export" -> new Command(id, "[OPTIONS] CONTAINER", TOP[30][1], 1, 1, "berth container export, berth export");
            case "cp" -> new Command(id, "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
                    TOP[31][1] + "\n\nUse '-' as the source to read a tar archive from stdin\nand extract it to a directory destination in a container.\n"
                            + "Use '-' as the destination to stream a tar archive of a\ncontainer source to stdout.", 2, 2, "berth container cp, berth cp");
            case "commit" -> new Command(id, "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]", TOP[32][1], 1, 2, "berth container commit, berth commit");
            case "network-create" -> new Command(id, "[OPTIONS] NETWORK", "Create a network", 1, 1, null);
            case "network-ls" -> new Command(id, "[OPTIONS]", "List networks", 0, 0, "berth network ls, berth network list");
            case "network-inspect" -> new Command(id, "[OPTIONS] NETWORK [NETWORK...]", "Display detailed information on one or more networks", 1, -1, null);
            case "network-rm" -> new Command(id, "NETWORK [NETWORK...]", "Remove one or more networks", 1, -1, "berth network rm, berth network remove");
            case "network-prune" -> new Command(id, "[OPTIONS]", "Remove all unused networks", 0, 0, null);
            case "network-connect" -> new Command(id, "[OPTIONS] NETWORK CONTAINER", "Connect a container to a network", 2, 2, null);
            case "network-disconnect" -> new Command(id, "[OPTIONS] NETWORK CONTAINER", "Disconnect a container from a network", 2, 2, null);
            case "__train" -> new Command(id, "", "", 0, -1, null);
            default -> null;
        };
    }

    /** Maps {@code container X} / {@code image X} sub-commands to top-level command ids. */
    static String managementAlias(String group, String sub) {
        if (group.equals("container")) {
            return switch (sub) {
                case "ls", "list", "ps" -> "ps";
                case "remove" -> "rm";
                case "inspect" -> "container-inspect";
                case "run", "create", "start", "stop", "kill", "restart", "rm", "logs", "attach", "wait", "rename", "port",
                     "diff", "export", "cp", "commit" -> sub;
                default -> null;
            };
        }
        if (group.equals("image")) {
            return switch (sub) {
                case "ls", "list" -> "images";
                case "rm", "remove" -> "rmi";
                case "inspect" -> "image-inspect";
                case "import", "tag", "pull", "push", "history", "save", "load", "build" -> sub;
                case "prune" -> "image-prune";
                default -> null;
            };
        }
        if (group.equals("network")) {
            return switch (sub) {
                case "ls", "list" -> "network-ls";
                case "rm", "remove" -> "network-rm";
                case "create", "inspect", "prune", "connect", "disconnect" -> "network-" + sub;
                default -> null;
            };
        }
        if (group.equals("builder")) {
            return switch (sub) {
                case "build" -> "build";
                case "prune" -> "builder-prune";
                default -> null;
            };
        }
        if (group.equals("system")) {
            return switch (sub) {
                case "info", "events" -> sub;
                default -> null;
            };
        }
        return null;
    }

    static FlagSpec flags(String id) {
        FlagSpec f = new FlagSpec();
        switch (id) {
            case "run", "create" -> {
                if (id.equals("run")) f.bool('d', "detach", "Run container in background and print container ID");
                f.bool('i', "interactive", "Keep STDIN open even if not attached")
                        .bool('t', "tty", "Allocate a pseudo-TTY")
                        .string((char) 0, "name", "string", "", "Assign a name to the container")
                        .list('e', "env", "list", "Set environment variables")
                        .list((char) 0, "env-file", "list", "Read in a file of environment variables")
                        .string((char) 0, "entrypoint", "string", "", "Overwrite the default ENTRYPOINT of the image")
                        .string('w', "workdir", "string", "", "Working directory inside the container")
                        .string('u', "user", "string", "", "Username or UID (format: <name|uid>[:<group|gid>])")
                        .string('h', "hostname", "string", "", "Container host name")
                        .list('l', "label", "list", "Set meta data on a container", Validators.LABEL)
                        .bool((char) 0, "rm", "Automatically remove the container and its associated anonymous volumes when it exits")
                        .list((char) 0, "network", "network", "Connect a container to a network", NetworkOptions.FLAG)
                        .alias("net", "network")
                        .list((char) 0, "network-alias", "list", "Add network-scoped alias for the container")
                        .alias("net-alias", "network-alias")
                        .string((char) 0, "ip", "string", "", "IPv4 address (e.g., 172.30.100.104)")
                        .string((char) 0, "mac-address", "string", "", "Container MAC address (e.g., 92:d0:c6:0a:29:33)")
                        .list('p', "publish", "list", "Publish a container's port(s) to the host")
                        .bool('P', "publish-all", "Publish all exposed ports to random ports")
                        .list((char) 0, "expose", "list", "Expose a port or a range of ports")
                        .list((char) 0, "dns", "list", "Set custom DNS servers", Validators.IP_ADDRESS)
                        .list((char) 0, "dns-option", "list", "Set DNS options")
                        .alias("dns-opt", "dns-option")
                        .list((char) 0, "dns-search", "list", "Set custom DNS search domains", Validators.DNS_SEARCH)
                        .list((char) 0, "add-host", "list", "Add a custom host-to-IP mapping (host:ip)", Validators.EXTRA_HOST)
                        .bool((char) 0, "init", "Run an init inside the container that forwards signals and reaps processes")
                        .bool((char) 0, "sig-proxy", "Proxy received signals to the process (default true)")
                        .string((char) 0, "detach-keys", "string", "", "Override the key sequence for detaching a container")
                        .list('a', "attach", "list", "Attach to STDIN, STDOUT or STDERR")
                        .string((char) 0, "platform", "string", "", "Set platform if server is multi-platform capable")
                        .string((char) 0, "pull", "string", "missing", "Pull image before running (\"always\", \"missing\", \"never\")")
                        .bool('q', "quiet", "Suppress the pull output")
                        .stopAtFirstPositional();
            }
            case "start" -> f.bool('a', "attach", "Attach STDOUT/STDERR and forward signals")
                    .bool('i', "interactive", "Attach container's STDIN")
                    .string((char) 0, "detach-keys", "string", "", "Override the key sequence for detaching a container");
            case "stop", "restart" -> f.string('s', "signal", "string", "", "Signal to send to the container")
                    .integer('t', "time", "", "Seconds to wait before killing the container");
            case "kill" -> f.string('s', "signal", "string", "", "Signal to send to the container");
            case "rm" -> f.bool('f', "force", "Force the removal of a running container (uses SIGKILL)")
                    .bool('v', "volumes", "Remove anonymous volumes associated with the container")
                    .bool('l', "link", "Remove the specified link");
            case "ps" -> f.bool('a', "all", "Show all containers (default shows just running)")
                    .list('f', "filter", "filter", "Filter output based on conditions provided")
                    .string((char) 0, "format", "string", "", "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'")
                    .integer('n', "last", "-1", "Show n last created containers (includes all states)")
                    .bool('l', "latest", "Show the latest created container (includes all states)")
                    .bool((char) 0, "no-trunc", "Don't truncate output")
                    .bool('q', "quiet", "Only display container IDs")
                    .bool('s', "size", "Display total file sizes");
            case "images" -> f.bool('a', "all", "Show all images (default hides intermediate images)")
                    .bool((char) 0, "digests", "Show digests")
                    .list('f', "filter", "filter", "Filter output based on conditions provided")
                    .string((char) 0, "format", "string", "", "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'")
                    .bool((char) 0, "no-trunc", "Don't truncate output")
                    .bool('q', "quiet", "Only show image IDs")
                    .bool((char) 0, "tree", "List multi-platform images as a tree (EXPERIMENTAL)");
            case "logs" -> f.bool((char) 0, "details", "Show extra details provided to logs")
                    .bool('f', "follow", "Follow log output")
                    .string((char) 0, "since", "string", "", "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)")
                    .string('n', "tail", "string", "all", "Number of lines to show from the end of the logs")
                    .bool('t', "timestamps", "Show timestamps")
                    .string((char) 0, "until", "string", "", "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)");
            case "attach" -> f.string((char) 0, "detach-keys", "string", "", "Override the key sequence for detaching a container")
                    .bool((char) 0, "no-stdin", "Do not attach STDIN")
                    .string((char) 0, "sig-proxy", "bool", "true", "Proxy all received signals to the process");
            case "inspect", "container-inspect", "image-inspect" -> {
                f.string('f', "format", "string", "", "Format output using a custom template: 'json', 'TEMPLATE'");
                f.bool('s', "size", "Display total file sizes if the type is container");
                if (id.equals("inspect")) f.string((char) 0, "type", "string", "", "Only inspect objects of the given type");
            }
            case "pull" -> f.bool('q', "quiet", "Suppress verbose output")
                    .bool('a', "all-tags", "Download all tagged images in the repository")
                    .string((char) 0, "platform", "string", "", "Set platform if server is multi-platform capable");
            case "push" -> f.bool('a', "all-tags", "Push all tags of an image to the repository")
                    .string((char) 0, "platform", "string", "", "Push a platform-specific manifest as a single-platform image to the registry ('os[/arch[/variant]]')")
                    .bool('q', "quiet", "Suppress verbose output");
            case "login" -> f.string('p', "password", "string", "", "Password or Personal Access Token (PAT)")
                    .bool((char) 0, "password-stdin", "Take the Password or Personal Access Token (PAT) from stdin")
                    .string('u', "username", "string", "", "Username");
            case "history" -> f.string((char) 0, "format", "string", "", "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'")
                    .boolDefaultTrue('H', "human", "Print sizes and dates in human readable format")
                    .bool((char) 0, "no-trunc", "Don't truncate output")
                    .string((char) 0, "platform", "string", "", "Show history for the given platform. Formatted as \"os[/arch[/variant]]\" (e.g., \"linux/amd64\")")
                    .bool('q', "quiet", "Only show image IDs");
            case "image-prune" -> f.bool('a', "all", "Remove all unused images, not just dangling ones")
                    .list((char) 0, "filter", "filter", "Provide filter values (e.g. \"until=<timestamp>\")")
                    .bool('f', "force", "Do not prompt for confirmation");
            case "import" -> f.list('c', "change", "list", "Apply Dockerfile instruction to the created image")
                    .string('m', "message", "string", "", "Set commit message for imported image")
                    .string((char) 0, "platform", "string", "", "Set platform if server is multi-platform capable");
            case "save" -> f.string('o', "output", "string", "", "Write to a file, instead of STDOUT");
            case "build" -> f.list((char) 0, "add-host", "list", "Add a custom host-to-IP mapping (\"host:ip\")", Validators.EXTRA_HOST)
                    .list((char) 0, "build-arg", "list", "Set build-time variables", BuildCommand.Check.ENV)
                    .list((char) 0, "cache-from", "strings", "Images to consider as cache sources")
                    .string((char) 0, "cgroup-parent", "string", "", "Set the parent cgroup for the \"RUN\" instructions during build")
                    .bool((char) 0, "compress", "Compress the build context using gzip")
                    .integer((char) 0, "cpu-period", "", "Limit the CPU CFS (Completely Fair Scheduler) period")
                    .integer((char) 0, "cpu-quota", "", "Limit the CPU CFS (Completely Fair Scheduler) quota")
                    .integer('c', "cpu-shares", "", "CPU shares (relative weight)")
                    .string((char) 0, "cpuset-cpus", "string", "", "CPUs in which to allow execution (0-3, 0,1)")
                    .string((char) 0, "cpuset-mems", "string", "", "MEMs in which to allow execution (0-3, 0,1)")
                    .boolDefaultTrue((char) 0, "disable-content-trust", "Skip image verification")
                    .string('f', "file", "string", "", "Name of the Dockerfile (Default is \"PATH/Dockerfile\")")
                    .bool((char) 0, "force-rm", "Always remove intermediate containers")
                    .string((char) 0, "iidfile", "string", "", "Write the image ID to the file")
                    .string((char) 0, "isolation", "string", "", "Container isolation technology")
                    .list((char) 0, "label", "list", "Set metadata for an image", Validators.LABEL)
                    .string('m', "memory", "bytes", "", "Memory limit", BuildCommand.Check.BYTES)
                    .string((char) 0, "memory-swap", "bytes", "", "Swap limit equal to memory plus swap: -1 to enable unlimited swap",
                            BuildCommand.Check.SWAP_BYTES)
                    .string((char) 0, "network", "string", "default", "Set the networking mode for the RUN instructions during build")
                    .bool((char) 0, "no-cache", "Do not use cache when building the image")
                    .string((char) 0, "platform", "string", "", "Set platform if server is multi-platform capable")
                    .bool((char) 0, "pull", "Always attempt to pull a newer version of the image")
                    .bool('q', "quiet", "Suppress the build output and print image ID on success")
                    .boolDefaultTrue((char) 0, "rm", "Remove intermediate containers after a successful build")
                    .list((char) 0, "security-opt", "strings", "Security options")
                    .string((char) 0, "shm-size", "bytes", "", "Size of \"/dev/shm\"", BuildCommand.Check.BYTES)
                    .bool((char) 0, "squash", "Squash newly built layers into a single new layer")
                    .list('t', "tag", "list", "Name and optionally a tag in the \"name:tag\" format", BuildCommand.Check.TAG)
                    .string((char) 0, "target", "string", "", "Set the target build stage to build.")
                    .list((char) 0, "ulimit", "ulimit", "Ulimit options", BuildCommand.Check.ULIMIT);
            case "builder-prune" -> f.bool('a', "all", "Remove all unused build cache, not just dangling ones")
                    .list((char) 0, "filter", "filter", "Provide filter values (e.g. \"until=24h\")")
                    .bool('f', "force", "Do not prompt for confirmation")
                    .string((char) 0, "keep-storage", "bytes", "", "Amount of disk space to keep for cache", BuildCommand.Check.BYTES);
            case "export" -> f.string('o', "output", "string", "", "Write to a file, instead of STDOUT");
            case "cp" -> f.bool('a', "archive", "Archive mode (copy all uid/gid information)")
                    .bool('L', "follow-link", "Always follow symbol link in SRC_PATH")
                    .bool('q', "quiet", "Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached");
            case "commit" -> f.string('a', "author", "string", "", "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")")
                    .list('c', "change", "list", "Apply Dockerfile instruction to the created image")
                    .string('m', "message", "string", "", "Commit message")
                    .boolDefaultTrue('p', "pause", "Pause container during commit");
            case "load" -> f.string('i', "input", "string", "", "Read from tar archive file, instead of STDIN")
                    .bool('q', "quiet", "Suppress the load output");
            case "rmi" -> f.bool('f', "force", "Force removal of the image")
                    .bool((char) 0, "no-prune", "Do not delete untagged parents");
            case "events" -> f.list('f', "filter", "filter", "Filter output based on conditions provided")
                    .string((char) 0, "format", "string", "", "Format output using a custom template: 'json', 'TEMPLATE'")
                    .string((char) 0, "since", "string", "", "Show all events created since timestamp")
                    .string((char) 0, "until", "string", "", "Stream events until this timestamp");
            case "version", "info" -> f.string('f', "format", "string", "", "Format output using a custom template: 'json', 'TEMPLATE'");
            case "network-create" -> f.bool((char) 0, "attachable", "Enable manual container attachment")
                    .list((char) 0, "aux-address", "map", "Auxiliary IPv4 or IPv6 addresses used by Network driver")
                    .string((char) 0, "config-from", "string", "", "The network from which to copy the configuration")
                    .bool((char) 0, "config-only", "Create a configuration only network")
                    .string('d', "driver", "string", "bridge", "Driver to manage the Network")
                    .list((char) 0, "gateway", "strings", "IPv4 or IPv6 Gateway for the master subnet")
                    .bool((char) 0, "ingress", "Create swarm routing-mesh network")
                    .bool((char) 0, "internal", "Restrict external access to the network")
                    .list((char) 0, "ip-range", "strings", "Allocate container ip from a sub-range")
                    .string((char) 0, "ipam-driver", "string", "default", "IP Address Management Driver")
                    .list((char) 0, "ipam-opt", "map", "Set IPAM driver specific options")
                    .boolDefaultTrue((char) 0, "ipv4", "Enable or disable IPv4 address assignment")
                    .bool((char) 0, "ipv6", "Enable or disable IPv6 address assignment")
                    .list((char) 0, "label", "list", "Set metadata on a network", Validators.LABEL)
                    .list('o', "opt", "map", "Set driver specific options")
                    .string((char) 0, "scope", "string", "", "Control the network's scope")
                    .list((char) 0, "subnet", "strings", "Subnet in CIDR format that represents a network segment");
            case "network-ls" -> f.list('f', "filter", "filter", "Provide filter values (e.g. \"driver=bridge\")")
                    .string((char) 0, "format", "string", "", "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'")
                    .bool((char) 0, "no-trunc", "Do not truncate the output")
                    .bool('q', "quiet", "Only display network IDs");
            case "network-inspect" -> f.string('f', "format", "string", "", "Format output using a custom template: 'json', 'TEMPLATE'")
                    .bool('v', "verbose", "Verbose output for diagnostics");
            case "network-rm" -> f.bool('f', "force", "Do not error if the network does not exist");
            case "network-prune" -> f.list((char) 0, "filter", "filter", "Provide filter values (e.g. \"until=<timestamp>\")")
                    .bool('f', "force", "Do not prompt for confirmation");
            case "network-connect" -> f.list((char) 0, "alias", "strings", "Add network-scoped alias for the container")
                    .list((char) 0, "driver-opt", "strings", "driver options for the network")
                    .integer((char) 0, "gw-priority", "", "Highest gw-priority provides the default gateway. Accepts positive and negative values.")
                    .string((char) 0, "ip", "string", "", "IPv4 address (e.g., \"172.30.100.104\")")
                    .string((char) 0, "ip6", "string", "", "IPv6 address (e.g., \"2001:db8::33\") (not supported by Berth)")
                    .list((char) 0, "link", "list", "Add link to another container (not supported by Berth)")
                    .list((char) 0, "link-local-ip", "strings", "Add a link-local address for the container");
            case "network-disconnect" -> f.bool('f', "force", "Force the container to disconnect from a network");
            default -> { }
        }
        return f;
    }

    /** Runs the command line; returns the process exit code. */
    public static int run(Cli cli, String[] argv) {
        List<String> args = Arrays.asList(argv);
        int i = 0;
        // global options, before the command name
        while (i < args.size() && args.get(i).startsWith("-")) {
            String a = args.get(i++);
            if (a.equals("-H") || a.equals("--host")) {
                if (i >= args.size()) return usageError(cli, "flag needs an argument: " + (a.equals("-H") ? "'H' in -H" : "--host"), null, 125);
                cli.host(args.get(i++));
            } else if (a.startsWith("--host=")) {
                cli.host(a.substring(7));
            } else if (a.startsWith("-H") && a.length() > 2) {
                cli.host(a.substring(2).startsWith("=") ? a.substring(3) : a.substring(2));
            } else if (a.equals("--help") || a.equals("-h")) {
                cli.out.print(topHelp());
                return 0;
            } else if (a.equals("-v") || a.equals("--version")) {
                cli.out.println("Berth version " + dev.berth.api.ApiVersion.BERTH_VERSION + ", API " + dev.berth.api.ApiVersion.CURRENT);
                return 0;
            } else if (a.equals("-D") || a.equals("--debug") || a.equals("--tls") || a.equals("--tlsverify")) {
                // accepted for compatibility
            } else if (a.equals("--config")) {
                if (i >= args.size()) return usageError(cli, "flag needs an argument: --config", null, 125);
                cli.configDir(args.get(i++));
            } else if (a.startsWith("--config=")) {
                cli.configDir(a.substring(9));
            } else if (a.equals("-l") || a.equals("--log-level") || a.equals("-c") || a.equals("--context")) {
                i++;
            } else if (a.startsWith("--log-level=") || a.startsWith("--context=")) {
                // accepted for compatibility
            } else {
                return usageError(cli, "unknown flag: " + a, null, 125);
            }
        }
        if (i >= args.size()) {
            cli.out.print(topHelp());
            return 0;
        }
        String name = args.get(i++);
        String path = "berth " + name;
        String id = name;
        if (name.equals("container") || name.equals("image") || name.equals("system") || name.equals("network")
                || name.equals("builder")) {
            if (i >= args.size() || args.get(i).equals("--help")) {
                if (name.equals("network") || name.equals("builder")) {
                    cli.out.print(name.equals("network") ? NETWORK_HELP : BUILDER_HELP);
                    return 0;
                }
                cli.out.print("\nUsage:  berth " + name + " COMMAND\n\nManage " + name + "s\n\nRun 'berth COMMAND --help' for more information on a command.\n");
                return 0;
            }
            String sub = args.get(i++);
            id = managementAlias(name, sub);
            path = "berth " + name + " " + sub;
            if (id == null) {
                cli.err.println("berth: '" + name + " " + sub + "' is not a berth command.");
                cli.err.println("See 'berth " + name + " --help'");
                return 1;
            }
        } else if (name.equals("help")) {
            cli.out.print(topHelp());
            return 0;
        }
        Command cmd = lookup(id);
        if (cmd == null) {
            cli.err.println("berth: '" + name + "' is not a berth command.");
            cli.err.println("See 'berth --help'");
            return 1;
        }
        FlagSpec spec = flags(id);
        ParsedArgs parsed;
        try {
            parsed = spec.parse(args.subList(i, args.size()));
        } catch (FlagException e) {
            return usageError(cli, e.getMessage(), (cmd.usage().isEmpty() ? path : path + " " + cmd.usage()), 125, "Run '" + path + " --help' for more information");
        }
        if (parsed.help()) {
            cli.out.print(help(path, cmd, spec));
            return 0;
        }
        String countError = checkCount(path, cmd, parsed.positionals().size());
        if (countError != null) {
            // docker's wording: "See" only after "requires at least N argument(s)", "Run" otherwise
            String verb = countError.contains("requires at least") && !countError.contains("at most") ? "See" : "Run";
            return usageError(cli, "berth: " + countError, (cmd.usage().isEmpty() ? path : path + " " + cmd.usage()), 1, verb + " '" + path + " --help' for more information");
        }
        try {
            return dispatch(cli, id, parsed);
        } catch (CliException e) {
            if (e.getMessage() != null) cli.err.println(e.getMessage());
            return e.exitCode();
        } catch (DaemonUnreachableException e) {
            cli.out.flush();
            cli.err.println(e.getMessage());
            return 1;
        } catch (DaemonException e) {
            cli.out.flush();
            cli.err.println(e.display());
            return 1;
        } catch (IOException e) {
            cli.out.flush();
            cli.err.println("error during connect: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            cli.out.flush();
            cli.err.println(e.getMessage());
            return 1;
        }
    }

    private static int dispatch(Cli cli, String id, ParsedArgs a) throws IOException, CliException {
        return switch (id) {
            case "run" -> RunCommand.run(cli, a);
            case "create" -> RunCommand.create(cli, a);
            case "start" -> ContainerCommands.start(cli, a);
            case "stop" -> ContainerCommands.stop(cli, a);
            case "restart" -> ContainerCommands.restart(cli, a);
            case "kill" -> ContainerCommands.kill(cli, a);
            case "rm" -> ContainerCommands.rm(cli, a);
            case "rename" -> ContainerCommands.rename(cli, a);
            case "wait" -> ContainerCommands.waitCmd(cli, a);
            case "attach" -> ContainerCommands.attach(cli, a);
            case "logs" -> LogsCommand.run(cli, a);
            case "ps" -> PsCommand.run(cli, a);
            case "images" -> ImageCommands.images(cli, a);
            case "import" -> ImageCommands.importImage(cli, a);
            case "pull" -> ImageCommands.pull(cli, a);
            case "push" -> ImageCommands.push(cli, a);
            case "history" -> ImageHistory.run(cli, a);
            case "image-prune" -> ImagePrune.run(cli, a);
            case "login" -> RegistryCommands.login(cli, a);
            case "logout" -> RegistryCommands.logout(cli, a);
            case "save" -> ArchiveCommands.save(cli, a);
            case "load" -> ArchiveCommands.load(cli, a);
            case "rmi" -> ImageCommands.rmi(cli, a);
            case "tag" -> ImageCommands.tag(cli, a);
            case "inspect" -> InspectCommand.run(cli, a, a.str("type", ""));
            case "container-inspect" -> InspectCommand.run(cli, a, "container");
            case "image-inspect" -> InspectCommand.run(cli, a, "image");
            case "version" -> SystemCommands.version(cli, a);
            case "info" -> SystemCommands.info(cli, a);
            case "events" -> SystemCommands.events(cli, a);
            case "port" -> PortCommand.run(cli, a);
            case "build" -> BuildCommand.run(cli, a);
            case "builder-prune" -> BuildCommand.prune(cli, a);
            case "diff" -> ContainerFileCommands.diff(cli, a);
            case "export" -> ContainerFileCommands.export(cli, a);
            case "cp" -> CopyCommand.run(cli, a);
            case "commit" -> ContainerFileCommands.commit(cli, a);
            case "network-create" -> NetworkCommands.create(cli, a);
            case "network-ls" -> NetworkCommands.ls(cli, a);
            case "network-inspect" -> NetworkCommands.inspect(cli, a);
            case "network-rm" -> NetworkCommands.rm(cli, a);
            case "network-prune" -> NetworkCommands.prune(cli, a);
            case "network-connect" -> NetworkCommands.connect(cli, a);
            case "network-disconnect" -> NetworkCommands.disconnect(cli, a);
            case "__train" -> Training.run(cli, a);
            default -> throw new IllegalStateException(id);
        };
    }

    static String checkCount(String path, Command c, int n) {
        String p = "'" + path + "'";
        if (c.max() == 0 && n > 0) return p + " accepts no arguments";
        if (c.min() == c.max() && n != c.min()) return p + " requires " + c.min() + (c.min() == 1 ? " argument" : " arguments");
        if (n < c.min()) {
            if (c.max() > 0) return p + " requires at least " + c.min() + " and at most " + c.max() + " arguments";
            return p + " requires at least " + c.min() + (c.min() == 1 ? " argument" : " arguments");
        }
        if (c.max() >= 0 && n > c.max()) {
            if (c.min() > 0) return p + " requires at least " + c.min() + " and at most " + c.max() + " arguments";
            return p + " requires at most " + c.max() + (c.max() == 1 ? " argument" : " arguments");
        }
        return null;
    }

    private static int usageError(Cli cli, String message, String usage, int code) {
        cli.err.println(message);
        cli.err.println("See 'berth --help'.");
        return code;
    }

    private static int usageError(Cli cli, String message, String usage, int code, String hint) {
        cli.err.println(message);
        cli.err.println();
        cli.err.println("Usage:  " + usage);
        cli.err.println();
        cli.err.println(hint);
        return code;
    }

    static String help(String path, Command c, FlagSpec spec) {
        StringBuilder sb = new StringBuilder();
        sb.append("\nUsage:  ").append(path).append(c.usage().isEmpty() ? "" : " " + c.usage()).append("\n\n").append(c.description()).append('\n');
        if (c.aliases() != null) sb.append("\nAliases:\n  ").append(c.aliases()).append('\n');
        if (!spec.flags().isEmpty()) sb.append("\nOptions:\n").append(spec.usage());
        return sb.toString();
    }

    static String topHelp() {
        StringBuilder sb = new StringBuilder();
        sb.append("\nUsage:  berth [OPTIONS] COMMAND\n\nA Docker-compatible container engine client\n\nCommands:\n");
        String[][] sorted = TOP.clone();
        Arrays.sort(sorted, (x, y) -> x[0].compareTo(y[0]));
        for (String[] c : sorted) sb.append("  ").append(c[0]).append(" ".repeat(12 - c[0].length())).append(c[1]).append('\n');
        sb.append("\nManagement Commands:\n  builder     Manage builds\n  container   Manage containers\n  image       Manage images\n  network     Manage networks\n  system      Manage Berth\n");
        sb.append("\nGlobal Options:\n");
        sb.append("      --config string   Location of client config files (default \"~/.docker\"; also DOCKER_CONFIG)\n");
        sb.append("  -H, --host string     Daemon socket to connect to (default unix:///run/berth/berth.sock;\n");
        sb.append("                        also BERTH_HOST, DOCKER_HOST)\n");
        sb.append("  -v, --version         Print version information and quit\n");
        sb.append("\nRun 'berth COMMAND --help' for more information on a command.\n");
        return sb.toString();
    }
}
