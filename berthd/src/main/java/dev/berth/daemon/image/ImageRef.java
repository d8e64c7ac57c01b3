package dev.berth.daemon.image;

import dev.berth.daemon.errors.BerthException;
import java.util.regex.Pattern;

/**
 * An image reference parsed as Docker parses it: {@code busybox} is
 * {@code docker.io/library/busybox:latest}; a first component with a dot, a colon or
 * {@code localhost} is a registry. The record is always normalised and valid.
 */
public record ImageRef(String domain, String path, String tag, String digest) {
    public static final String DEFAULT_DOMAIN = "docker.io";
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final Pattern DOMAIN = Pattern.compile("(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?");
    private static final Pattern FULL_HEX = Pattern.compile("[a-f0-9]{64}");

    public ImageRef {
        if (tag == null && digest == null) tag = "latest";
    }

    /** Parses a reference; the tag defaults to latest unless a digest is given. */
    public static ImageRef parse(String s) {
        if (s == null || s.isEmpty()) throw BerthException.invalid("invalid reference format");
        String rest = s;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) throw BerthException.invalid("invalid reference format");
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) throw BerthException.invalid("invalid reference format");
        }
        String domain = DEFAULT_DOMAIN;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost") || !first.equals(first.toLowerCase())) {
                if (!DOMAIN.matcher(first).matches()) throw BerthException.invalid("invalid reference format");
                domain = first;
                path = rest.substring(slash + 1);
            }
        }
        if (!path.equals(path.toLowerCase())) {
            throw BerthException.invalid("invalid reference format: repository name (" + path + ") must be lowercase");
        }
        if (FULL_HEX.matcher(path).matches() && domain.equals(DEFAULT_DOMAIN)) {
            throw BerthException.invalid("invalid repository name (" + path + "), cannot specify 64-byte hexadecimal strings");
        }
        for (String c : path.split("/", -1)) {
            if (!COMPONENT.matcher(c).matches()) throw BerthException.invalid("invalid reference format");
        }
        if (domain.equals(DEFAULT_DOMAIN) && !path.contains("/")) path = "library/" + path;
        if ((domain + "/" + path).length() > 255) throw BerthException.invalid("invalid reference format: repository name must not be more than 255 characters");
        return new ImageRef(domain, path, tag, digest);
    }

    /** Full repository name: {@code docker.io/library/busybox}. */
    public String repository() { return domain + "/" + path; }

    /** Docker's short form for display: {@code busybox}, {@code 127.0.0.1:5000/app}. */
    public String familiarRepository() {
        if (!domain.equals(DEFAULT_DOMAIN)) return repository();
        return path.startsWith("library/") && path.indexOf('/', 8) < 0 ? path.substring(8) : path;
    }

    /** The normalised full string used as the key in the reference store. */
    public String full() {
        return repository() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /** The familiar string shown in RepoTags, e.g. {@code busybox:latest}. */
    public String familiar() {
        return familiarRepository() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    public ImageRef withTag(String newTag) { return new ImageRef(domain, path, newTag, null); }
}
