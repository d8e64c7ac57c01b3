package dev.berth.daemon.server;

import dev.berth.daemon.archive.ImageLoad;
import dev.berth.daemon.archive.ImageSave;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/** {@code docker save} / {@code docker load}: thin handlers over {@link ImageSave} and {@link ImageLoad}, registered by {@link ImageRoutes}. */
public final class ArchiveRoutes {
    private final ImageSave save;
    private final ImageLoad load;

    public ArchiveRoutes(ImageSave save, ImageLoad load) {
        this.save = save;
        this.load = load;
    }

    /**
     * {@code GET /images/{name}/get}, {@code GET /images/get?names=a&names=b}. Unknown names are
     * ordinary HTTP errors; a failure once the tar is streaming drops the connection before the
     * final chunk, so the client sees a cut-off body, never a complete-looking archive.
     */
    void save(Request req, Response res) throws IOException {
        String name = req.pathParam("name");
        List<String> names = name != null ? List.of(name) : req.queryAll("names");
        try (ImageSave.Archive archive = save.prepare(names)) {
            OutputStream out = res.stream(200, "application/x-tar");
            archive.writeTo(out);
            out.close();
        }
    }

    /**
     * {@code POST /images/load?quiet=}: quiet unless {@code quiet=0} (dockerd's default). Errors
     * before the first message (a malformed or hostile archive, in quiet mode all of them) are
     * HTTP errors with {@code {"message": …}}; later ones end the stream with an
     * {@code errorDetail} message as dockerd sends it.
     */
    void load(Request req, Response res) throws IOException, InterruptedException {
        boolean quiet = req.query("quiet") == null || req.query("quiet").isEmpty() || req.queryBool("quiet");
        JsonMessageStream.run(res, out -> load.load(req.body(), quiet, out));
    }
}
