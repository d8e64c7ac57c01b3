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
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Image commands: images, import, pull, push, rmi, tag (history and prune: {@link ImageHistory}, {@link ImagePrune}). */
public final class ImageCommands {
    static final String DEFAULT_TABLE = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
    static final String DIGEST_TABLE = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";

    private ImageCommands() {}

    public static int images(Cli cli, ParsedArgs a) throws IOException {
        List<String> filters = new ArrayList<>(a.list("filter"));
        if (!a.positionals().isEmpty()) filters.add("reference=" + a.positionals().get(0));
        Query q = new Query().flag("all", a.bool("all")).opt("filters", Filters.toJson(filters));
        Object list = cli.client().json("GET", "/images/json" + q, null);
        boolean quiet = a.bool("quiet");
        boolean digests = a.bool("digests");
        String format = a.str("format", "");
        if (format.isEmpty()) {
            String configured = quiet ? "" : cli.config().string("imagesFormat");
            format = configured.isEmpty() ? "table" : configured;
        }
        format = imageFormat(format, quiet, digests);
        boolean needDigest = digests || format.contains("{{.Digest}}");
        List<Map<String, Object>> rows = rows(Json.list(list), !a.bool("no-trunc"), System.currentTimeMillis(), needDigest, digests);
        cli.out.print(ListFormatter.render(format, DEFAULT_TABLE, rows, headers()));
        return 0;
    }

    /** docker's NewImageFormat: the table key picks the quiet/digest/default table; a custom table gets a DIGEST column with --digests. */
    static String imageFormat(String format, boolean quiet, boolean digests) {
        if (format.equals("table")) return quiet ? "{{.ID}}" : digests ? DIGEST_TABLE : DEFAULT_TABLE;
        if (format.startsWith("table") && digests && !format.contains("{{.Digest}}")) return format + "\t{{.Digest}}";
        return format;
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

    /**
     * docker's imageFormat: one row per repository:tag of each image (one per digest of that
     * repository when digests are shown); digest-only repositories get a {@code <none>} tag row;
     * dangling images show as {@code <none> <none>}. Rows keep the daemon's order.
     */
    static List<Map<String, Object>> rows(List<Object> images, boolean trunc, long nowMillis, boolean needDigest, boolean showDigests) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Object img : images) {
            List<Object> tags = Json.list(img, "RepoTags");
            List<Object> digestRefs = Json.list(img, "RepoDigests");
            boolean dangling = tags.isEmpty() && digestRefs.isEmpty()
                    || tags.size() == 1 && "<none>:<none>".equals(tags.get(0)) && digestRefs.size() == 1 && "<none>@<none>".equals(digestRefs.get(0));
            if (dangling) {
                rows.add(row(img, "<none>", "<none>", "<none>", trunc, nowMillis));
                continue;
            }
            Map<String, List<String>> repoTags = new LinkedHashMap<>();
            for (Object t : tags) {
                ImageName n = parseOrNull(String.valueOf(t));
                if (n != null && !n.tag().isEmpty()) repoTags.computeIfAbsent(n.familiarName(), k -> new ArrayList<>()).add(n.tag());
            }
            Map<String, List<String>> repoDigests = new LinkedHashMap<>();
            for (Object d : digestRefs) {
                ImageName n = parseOrNull(String.valueOf(d));
                if (n != null && !n.digest().isEmpty()) repoDigests.computeIfAbsent(n.familiarName(), k -> new ArrayList<>()).add(n.digest());
            }
            for (Map.Entry<String, List<String>> e : repoTags.entrySet()) {
                List<String> ds = repoDigests.remove(e.getKey());
                if (!needDigest || ds == null) ds = List.of();
                for (String tag : e.getValue()) {
                    if (ds.isEmpty()) rows.add(row(img, e.getKey(), tag, "<none>", trunc, nowMillis));
                    for (String d : ds) rows.add(row(img, e.getKey(), tag, d, trunc, nowMillis));
                }
            }
            for (Map.Entry<String, List<String>> e : repoDigests.entrySet()) {
                if (showDigests) {
                    for (String d : e.getValue()) rows.add(row(img, e.getKey(), "<none>", d, trunc, nowMillis));
                } else {
                    rows.add(row(img, e.getKey(), "<none>", "", trunc, nowMillis));
                }
            }
        }
        return rows;
    }

    private static ImageName parseOrNull(String ref) {
        try {
            return ImageName.parse(ref);
        } catch (IllegalArgumentException e) {
            return null;
        }
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
        r.put("SharedSize", shared < 0 ? "N/A" : Units.humanSize(shared, 4));
        r.put("Size", Units.humanSize(size));
        r.put("Tag", tag);
        r.put("UniqueSize", shared < 0 ? "N/A" : Units.humanSize(size - shared, 4));
        r.put("VirtualSize", Units.humanSize(size, 4));
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
        ImageName name = ImageName.parse(a.positionals().get(0));
        boolean all = a.bool("all-tags");
        if (all && !name.nameOnly()) throw new CliException("tag can't be used with --all-tags/-a", 1);
        if (!all && name.nameOnly()) {
            name = name.withDefaultTag();
            if (!a.bool("quiet")) cli.out.println("Using default tag: latest");
        }
        pullImage(cli, name, a.str("platform"), a.bool("quiet") ? null : cli.out);
        cli.out.println(name);
        return 0;
    }

    /** Pulls {@code ref} (run/create's implicit pull); progress goes to {@code progress} (null: quiet). */
    public static void pullImage(Cli cli, String ref, String platform, PrintStream progress) throws IOException, CliException {
        pullImage(cli, ImageName.parse(ref).withDefaultTag(), platform, progress);
    }

    /**
     * {@code POST /images/create?fromImage=&tag=} with the stored credentials of the image's
     * registry in {@code X-Registry-Auth}; a digest travels as the tag, as docker sends it.
     */
    static void pullImage(Cli cli, ImageName name, String platform, PrintStream progress) throws IOException, CliException {
        String tag = name.digest().isEmpty() ? name.tag() : name.digest();
        Query q = new Query().add("fromImage", name.name()).opt("tag", tag).opt("platform", platform); // no tag: all tags (-a)
        Map<String, String> auth = RegistryCommands.authHeader(cli, name);
        try (HttpResponse r = cli.client().stream("POST", "/images/create" + q, null, auth)) {
            InputStream body = r.body();
            if (progress == null) body.transferTo(java.io.OutputStream.nullOutputStream());
            else JsonMessages.display(body, progress, Terminal.isTerminal(progress == cli.err ? 2 : 1), null);
        }
    }

    /**
     * {@code berth push [-a] [-q] NAME[:TAG]}: {@code POST /images/{name}/push?tag=} with the
     * registry's stored credentials, drawing the progress stream like pull; {@code -q} prints
     * only the reference when done.
     */
    public static int push(Cli cli, ParsedArgs a) throws IOException, CliException {
        boolean all = a.bool("all-tags");
        boolean quiet = a.bool("quiet");
        ImageName name = ImageName.parse(a.positionals().get(0));
        if (all && !name.nameOnly()) throw new CliException("tag can't be used with --all-tags/-a", 1);
        if (!all && name.nameOnly()) {
            name = name.withDefaultTag();
            if (!quiet) cli.out.println("Using default tag: latest");
        }
        if (!name.digest().isEmpty()) throw new CliException("cannot push a digest reference", 1);
        Query q = new Query();
        if (!all) q.add("tag", name.tag());
        q.opt("platform", platformJson(a.str("platform")));
        Map<String, String> auth = RegistryCommands.authHeader(cli, name);
        try (HttpResponse r = cli.client().stream("POST", "/images/" + Query.seg(name.name()) + "/push" + q, null, auth)) {
            if (quiet) {
                JsonMessages.display(r.body(), new PrintStream(java.io.OutputStream.nullOutputStream()), false, null);
                cli.out.println(name);
            } else {
                JsonMessages.display(r.body(), cli.out, Terminal.isTerminal(1), null);
            }
        }
        return 0;
    }

    /** {@code os[/arch[/variant]]} as the OCI platform JSON the push API takes; null when not given. */
    static String platformJson(String platform) {
        if (platform == null || platform.isEmpty()) return null;
        String[] p = platform.toLowerCase().split("/");
        if (p.length > 3 || p[0].isEmpty()) throw new IllegalArgumentException("invalid platform " + platform);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", p.length > 1 ? p[1] : SystemCommands.goArch(System.getProperty("os.arch")));
        m.put("os", p[0]);
        if (p.length > 2) m.put("variant", p[2]);
        return Json.toJson(m);
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
