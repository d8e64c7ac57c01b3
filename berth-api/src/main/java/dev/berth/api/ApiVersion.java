package dev.berth.api;

/**
 * The Docker Engine API versions Berth speaks. Clients negotiate with {@code GET|HEAD /_ping}
 * (header {@code Api-Version}) and then use versioned paths such as {@code /v1.47/containers/json}.
 */
public final class ApiVersion {
    /** Newest API version served; the docker CLI 28 negotiates down to it. */
    public static final String CURRENT = "1.47";
    /** Oldest API version accepted on a versioned path. */
    public static final String MINIMUM = "1.24";
    /** Engine version reported by /version; Docker-shaped so clients that parse it accept it. */
    public static final String ENGINE_VERSION = "27.5.1";
    /** Berth's own release, reported beside the engine version. */
    public static final String BERTH_VERSION = "0.1.0";

    private ApiVersion() {}

    /** Compares dotted versions numerically: "1.9" &lt; "1.24". */
    public static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? Integer.parseInt(x[i]) : 0;
            int q = i < y.length ? Integer.parseInt(y[i]) : 0;
            if (p != q) return Integer.compare(p, q);
        }
        return 0;
    }
}
