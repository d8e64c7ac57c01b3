package dev.berth.cli.commands;

/**
 * An image reference normalised the way docker's {@code reference.ParseNormalizedNamed} does:
 * {@code busybox} is {@code docker.io/library/busybox}, a first component with a '.' or ':'
 * (or {@code localhost}, or upper case) is a registry host. {@code tag} and {@code digest} are
 * empty when not given.
 */
record ImageName(String domain, String path, String tag, String digest) {
    static final String DEFAULT_DOMAIN = "docker.io";

    ImageName {
        if (path.isEmpty()) throw new IllegalArgumentException("invalid reference format");
        if (!path.equals(path.toLowerCase())) {
            throw new IllegalArgumentException("invalid reference format: repository name (" + path + ") must be lowercase");
        }
        if (!path.matches("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*")
                || !tag.isEmpty() && !tag.matches("[\\w][\\w.-]{0,127}")
                || !digest.isEmpty() && !digest.matches("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")) {
            throw new IllegalArgumentException("invalid reference format");
        }
    }

    static ImageName parse(String ref) {
        String rest = ref;
        String digest = "";
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        String tag = "";
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String domain = DEFAULT_DOMAIN;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost") || !first.equals(first.toLowerCase())) {
                domain = first;
                path = rest.substring(slash + 1);
            }
        }
        if (domain.equals("index.docker.io")) domain = DEFAULT_DOMAIN;
        if (domain.equals(DEFAULT_DOMAIN) && !path.contains("/")) path = "library/" + path;
        return new ImageName(domain, path, tag, digest);
    }

    boolean nameOnly() { return tag.isEmpty() && digest.isEmpty(); }

    /** {@code reference.TagNameOnly}: adds "latest" to a bare name. */
    ImageName withDefaultTag() { return nameOnly() ? new ImageName(domain, path, "latest", digest) : this; }

    /** The fully qualified repository: {@code docker.io/library/busybox}. */
    String name() { return domain + "/" + path; }

    /** Docker's familiar repository: {@code busybox}, {@code user/app}, {@code 127.0.0.1:5000/app}. */
    String familiarName() {
        if (!domain.equals(DEFAULT_DOMAIN)) return name();
        return path.startsWith("library/") && path.indexOf('/', 8) < 0 ? path.substring(8) : path;
    }

    @Override
    public String toString() {
        return name() + (tag.isEmpty() ? "" : ":" + tag) + (digest.isEmpty() ? "" : "@" + digest);
    }
}
