package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.CliException;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.format.GoTime;
import dev.berth.cli.format.ListFormatter;
import dev.berth.cli.format.Units;
import dev.berth.cli.http.DaemonException;
import dev.berth.cli.http.HttpResponse;
import dev.berth.cli.http.Query;
import dev.berth.cli.json.Json;
import dev.berth.cli.term.Terminal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Image commands: images, import, rmi, tag. */
public final class ImageCommands {
    static final String DEFAULT_TABLE = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
    static final String DIGEST_TABLE = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";

    private ImageCommands() {}

    public static int images(Cli cli, ParsedArgs a) throws IOException {
        List<String> filters = new ArrayList<>(a.list("filter"));
        if (!a.positionals().isEmpty()) filters.add("reference=" + a.positionals().get(0));
        Query q = new Query().flag("all", a.bool("all")).opt("filters", Filters.toJson(filters));
        Object list = cli.client().json("GET", "/images/json" + q, null);
        List<Map<String, Object>> rows = rows(Json.list(list), !a.bool("no-trunc"), System.currentTimeMillis());
        String format = a.str("format", "");
        if (a.bool("quiet")) format = "{{.ID}}";
        cli.out.print(ListFormatter.render(format, a.bool("digests") ? DIGEST_TABLE : DEFAULT_TABLE, rows, headers()));
        return 0;
    }

    static Map<String, Object> headers() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("Repository", "REPOSITORY");
        h.put("Tag", "TAG");
        h.put("Digest", "DIGEST");
        h.put("ID", "IMAGE ID");
        h.put("CreatedSince", "CREATED");
        h.put("CreatedAt", "CREATED AT");
        h.put("Size", "SIZE");
        h.put("Containers", "CONTAINERS");
        h.put("SharedSize", "SHARED SIZE");
        h.put("UniqueSize", "UNIQUE SIZE");
        h.put("VirtualSize", "VIRTUAL SIZE");
        return h;
    }

    /** One row per repository:tag of each image; untagged images show as {@code <none> <none>}. */
    static List<Map<String, Object>> rows(List<Object> images, boolean trunc, long nowMillis) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Object img : images) {
            Map<String, List<String>> repoTags = new LinkedHashMap<>();
            for (Object t : Json.list(img, "RepoTags")) {
                String ref = String.valueOf(t);
                if (ref.equals("<none>:<none>")) continue;
                String[] rt = splitTag(ref);
                repoTags.computeIfAbsent(familiar(rt[0]), k -> new ArrayList<>()).add(rt[1]);
            }
            Map<String, String> digests = new LinkedHashMap<>();
            for (Object d : Json.list(img, "RepoDigests")) {
                String ref = String.valueOf(d);
                int at = ref.indexOf('@');
                if (at > 0 && !ref.startsWith("<none>")) digests.putIfAbsent(familiar(ref.substring(0, at)), ref.substring(at + 1));
            }
            if (repoTags.isEmpty()) {
                if (digests.isEmpty()) rows.add(row(img, "<none>", "<none>", "<none>", trunc, nowMillis));
                for (Map.Entry<String, String> e : digests.entrySet()) {
                    rows.add(row(img, e.getKey(), "<none>", e.getValue(), trunc, nowMillis));
                }
            }
            for (Map.Entry<String, List<String>> e : repoTags.entrySet()) {
                String digest = digests.getOrDefault(e.getKey(), "<none>");
                for (String tag : e.getValue()) rows.add(row(img, e.getKey(), tag, digest, trunc, nowMillis));
            }
        }
        return rows;
    }

    private static Map<String, Object> row(Object img, String repo, String tag, String digest, boolean trunc, long now) {
        Map<String, Object> r = new LinkedHashMap<>();
        long containers = Json.get(img, "Containers") instanceof Number n ? n.longValue() : -1;
        long created = Json.num(img, "Created");
        String id = Json.str(img, "Id");
        long size = Json.num(img, "Size");
        long shared = Json.get(img, "SharedSize") instanceof Number n ? n.longValue() : -1;
        r.put("Containers", containers < 0 ? "N/A" : Long.toString(containers));
        r.put("CreatedAt", GoTime.string(created));
        r.put("CreatedSince", created == 0 ? "N/A" : Units.ago(created, now));
        r.put("Digest", digest);
        r.put("ID", trunc ? Units.shortId(id) : id);
        r.put("Repository", repo);
        r.put("SharedSize", shared < 0 ? "N/A" : Units.humanSize(shared));
        r.put("Size", Units.humanSize(size));
        r.put("Tag", tag);
        r.put("UniqueSize", shared < 0 ? "N/A" : Units.humanSize(size - shared));
        r.put("VirtualSize", Units.humanSize(size));
        return r;
    }

    /** Splits "repo[:tag]" at a tag colon (one after the last '/'); the tag defaults to "latest". */
    static String[] splitTag(String ref) {
        int at = ref.indexOf('@');
        if (at >= 0) ref = ref.substring(0, at);
        int slash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        if (colon > slash) return new String[] {ref.substring(0, colon), ref.substring(colon + 1)};
        return new String[] {ref, "latest"};
    }

    /** Docker's FamiliarName: "docker.io/library/busybox" → "busybox". */
    static String familiar(String repo) {
        if (repo.startsWith("docker.io/library/")) return repo.substring(18);
        if (repo.startsWith("docker.io/")) return repo.substring(10);
        return repo;
    }

    /**
     * import: streams the tarball (a file or stdin for "-") as the chunked body of
     * {@code POST /images/create?fromSrc=-}; a URL source is passed as fromSrc instead.
     */
    public static int importImage(Cli cli, ParsedArgs a) throws IOException, CliException {
        String source = a.positionals().get(0);
        String ref = a.positionals().size() > 1 ? a.positionals().get(1) : null;
        boolean url = source.startsWith("http://") || source.startsWith("https://");
        Query q = new Query().add("fromSrc", url ? source : "-");
        if (ref != null) {
            String[] rt = splitTagExplicit(ref);
            q.add("repo", rt[0]).opt("tag", rt[1]);
        }
        q.opt("message", a.str("message")).opt("platform", a.str("platform"));
        for (String c : a.list("change")) q.add("changes", c);
        HttpResponse r;
        if (url) {
            r = cli.client().stream("POST", "/images/create" + q, null);
        } else {
            InputStream body;
            if (source.equals("-")) {
                body = cli.in;
            } else {
                try {
                    body = Files.newInputStream(Path.of(source));
                } catch (NoSuchFileException e) {
                    throw new CliException("open " + source + ": no such file or directory", 1);
                }
            }
            try (InputStream in = body) {
                r = cli.client().upload("POST", "/images/create" + q, in, "application/x-tar");
            }
        }
        try (r) {
            JsonMessages.display(cli, r.body(), Terminal.isTerminal(1));
        }
        return 0;
    }

    /** {@code berth pull NAME[:TAG|@DIGEST]}: progress as docker draws it, then the full reference. */
    public static int pull(Cli cli, ParsedArgs a) throws IOException, CliException {
        String ref = a.positionals().get(0);
        pullImage(cli, ref, a.str("platform"), a.bool("quiet") ? null : cli.out);
        cli.out.println(fullReference(ref));
        return 0;
    }

    /** POST /images/create?fromImage=; progress goes to {@code progress} (null: quiet). */
    public static void pullImage(Cli cli, String ref, String platform, java.io.PrintStream progress) throws IOException, CliException {
        String repo = ref;
        String tag = "";
        int at = ref.indexOf('@');
        if (at >= 0) {
            repo = ref.substring(0, at);
            tag = ref.substring(at + 1);
        } else {
            String[] rt = splitTagExplicit(ref);
            repo = rt[0];
            tag = rt[1];
            if (tag.isEmpty()) {
                tag = "latest";
                if (progress != null) progress.println("Using default tag: latest");
            }
        }
        Query q = new Query().add("fromImage", repo).add("tag", tag).opt("platform", platform);
        try (HttpResponse r = cli.client().stream("POST", "/images/create" + q, null)) {
            InputStream body = r.body();
            if (progress == null) body.transferTo(java.io.OutputStream.nullOutputStream());
            else JsonMessages.display(cli, body, progress == cli.out && Terminal.isTerminal(1), progress);
        }
    }

    /** docker's fully qualified form: {@code docker.io/library/busybox:latest}. */
    static String fullReference(String ref) {
        String r = ref.contains("@") || ref.lastIndexOf(':') > ref.lastIndexOf('/') ? ref : ref + ":latest";
        int slash = r.indexOf('/');
        String first = slash < 0 ? "" : r.substring(0, slash);
        boolean hasDomain = slash > 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"));
        if (hasDomain) return r;
        return "docker.io/" + (slash < 0 ? "library/" : "") + r;
    }

    /** Like {@link #splitTag} but the tag is empty when not given (the daemon applies "latest"). */
    static String[] splitTagExplicit(String ref) {
        int slash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        if (colon > slash) return new String[] {ref.substring(0, colon), ref.substring(colon + 1)};
        return new String[] {ref, ""};
    }

    public static int rmi(Cli cli, ParsedArgs a) throws IOException {
        String q = new Query().flag("force", a.bool("force")).flag("noprune", a.bool("no-prune")).toString();
        boolean failed = false;
        for (String name : a.positionals()) {
            try {
                Object res = cli.client().json("DELETE", "/images/" + Query.seg(name) + q, null);
                for (Object item : Json.list(res)) {
                    String untagged = Json.str(item, "Untagged");
                    if (!untagged.isEmpty()) cli.out.println("Untagged: " + untagged);
                    String deleted = Json.str(item, "Deleted");
                    if (!deleted.isEmpty()) cli.out.println("Deleted: " + deleted);
                }
            } catch (DaemonException e) {
                failed = true;
                cli.out.flush();
                cli.err.println(e.display());
            }
        }
        return failed ? 1 : 0;
    }

    public static int tag(Cli cli, ParsedArgs a) throws IOException {
        String[] rt = splitTag(a.positionals().get(1));
        Query q = new Query().add("repo", rt[0]).add("tag", rt[1]);
        cli.client().expectOk("POST", "/images/" + Query.seg(a.positionals().get(0)) + "/tag" + q);
        return 0;
    }
}
