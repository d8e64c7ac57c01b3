package dev.berth.registry.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The token endpoint of Docker's token flow (distribution's "token authentication
 * specification"): {@code GET <realm>?service=<service>&scope=repository:<name>:pull,push}
 * with Basic credentials from the htpasswd file, or none for an anonymous token, answers
 * {@code {"token", "access_token", "expires_in", "issued_at"}}. The token is a JWT signed with
 * the service's key whose {@code access} claim holds what was asked for, cut down to what the
 * access list grants: asking for more is not an error, the registry refuses the request the
 * token does not cover. {@code POST} takes the OAuth2 password grant
 * ({@code grant_type=password&username=&password=&service=&scope=}) and the refresh-token grant.
 *
 * <p>Refresh tokens, as {@code docker login} uses them: a GET with {@code offline_token=true}
 * and valid credentials (or a password grant with {@code access_type=offline}) also returns a
 * {@code refresh_token}; dockerd hands it to the CLI as the login's identity token, the CLI
 * stores it instead of the password, and later requests trade it for access tokens with
 * {@code grant_type=refresh_token}. It is a JWT of this service's key for the account, with an
 * audience of its own (so it never passes as an access token), valid 90 days and bound to the
 * account's current htpasswd hash: removing the user or changing the password voids it.
 *
 * <p>Independent of the HTTP server: {@link #handleToken} takes the method, the raw query,
 * headers with lower-case names and the body, and returns status, headers and body.
 */
public final class TokenService {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TokenSettings settings;
    private final Htpasswd accounts;
    private final AccessList access;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    static final java.time.Duration REFRESH_LIFETIME = java.time.Duration.ofDays(90);

    /** {@code accounts} may be null: then every client is anonymous. */
    public TokenService(TokenSettings settings, Htpasswd accounts, AccessList access, Clock clock) {
        this.settings = settings;
        this.accounts = accounts;
        this.access = access;
        this.clock = clock;
    }

    /** The request path the server routes here: the realm URL's path. */
    public String path() {
        String p = URI.create(settings.realm()).getPath();
        return p == null || p.isEmpty() ? "/" : p;
    }

    public TokenSettings settings() { return settings; }

    /** A signed token and what it grants. */
    public record Issued(String token, Instant issuedAt, long expiresIn, List<Scope> granted) {}

    /** Issues a token for {@code account} ("" when anonymous) with the part of {@code requested} the access list grants. */
    public Issued issue(String account, List<Scope> requested) {
        Map<String, Scope> merged = new LinkedHashMap<>();
        for (Scope s : requested) {
            Scope g = access.grant(account, s);
            String key = g.type() + ":" + g.name();
            Scope before = merged.get(key);
            if (before != null) {
                var actions = new java.util.HashSet<>(before.actions());
                actions.addAll(g.actions());
                g = new Scope(g.type(), g.name(), actions);
            }
            merged.put(key, g);
        }
        List<Scope> granted = merged.values().stream().filter(s -> !s.actions().isEmpty()).toList();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        long ttl = settings.expiration().toSeconds();
        ObjectNode claims = JSON.createObjectNode();
        claims.put("iss", settings.issuer());
        claims.put("sub", account);
        claims.put("aud", settings.service());
        claims.put("exp", now.getEpochSecond() + ttl);
        claims.put("nbf", now.getEpochSecond());
        claims.put("iat", now.getEpochSecond());
        byte[] jti = new byte[16];
        random.nextBytes(jti);
        claims.put("jti", HexFormat.of().formatHex(jti));
        ArrayNode list = claims.putArray("access");
        for (Scope s : granted) {
            ObjectNode e = list.addObject();
            e.put("type", s.type());
            e.put("name", s.name());
            ArrayNode actions = e.putArray("actions");
            s.orderedActions().forEach(actions::add);
        }
        return new Issued(Jwt.sign(settings.key(), claims), now, ttl, granted);
    }

    /** The audience of refresh tokens: not the service's, so the registry never takes one as an access token. */
    private String refreshAudience() { return settings.service() + " refresh"; }

    /** A refresh token for {@code account}, bound to its current htpasswd hash. */
    String refreshToken(String account) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        ObjectNode claims = JSON.createObjectNode();
        claims.put("iss", settings.issuer());
        claims.put("sub", account);
        claims.put("aud", refreshAudience());
        claims.put("exp", now.getEpochSecond() + REFRESH_LIFETIME.toSeconds());
        claims.put("nbf", now.getEpochSecond());
        claims.put("iat", now.getEpochSecond());
        byte[] jti = new byte[16];
        random.nextBytes(jti);
        claims.put("jti", HexFormat.of().formatHex(jti));
        claims.put("pwh", passwordBinding(account, accounts.hashOf(account).orElseThrow()));
        return Jwt.sign(settings.key(), claims);
    }

    /** The account a refresh token is for, if it is this service's, current, and its password unchanged. */
    Optional<String> refreshAccount(String token) {
        if (token == null || token.isEmpty() || accounts == null) return Optional.empty();
        ObjectNode claims;
        try {
            claims = Jwt.verify(settings.key(), token);
        } catch (Jwt.InvalidTokenException e) {
            return Optional.empty();
        }
        long now = clock.instant().getEpochSecond();
        String account = claims.path("sub").asText("");
        if (!settings.issuer().equals(claims.path("iss").asText()) || !refreshAudience().equals(claims.path("aud").asText())
                || claims.path("exp").asLong(0) < now || claims.path("nbf").asLong(Long.MAX_VALUE) > now + 60 || account.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> hash = accounts.hashOf(account);
        if (hash.isEmpty() || !passwordBinding(account, hash.get()).equals(claims.path("pwh").asText())) return Optional.empty();
        return Optional.of(account);
    }

    /** A digest of the account's bcrypt hash: it changes with the password, and tells nothing of it. */
    private static String passwordBinding(String account, String hash) {
        try {
            var d = java.security.MessageDigest.getInstance("SHA-256");
            d.update((account + "\0" + hash).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest(), 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public TokenResponse handleToken(String method, String rawQuery, Map<String, String> headers, byte[] body) {
        return switch (method) {
            case "GET" -> get(Query.parse(rawQuery), headers);
            case "POST" -> post(Query.parse(new String(body == null ? new byte[0] : body, StandardCharsets.UTF_8)));
            default -> new TokenResponse(405, Map.of("Allow", "GET, POST", "Content-Type", "application/json"),
                    errors("UNSUPPORTED", "method " + method + " is not supported by the token endpoint"));
        };
    }

    private TokenResponse get(Query q, Map<String, String> headers) {
        TokenResponse bad = checkService(q.first("service"));
        if (bad != null) return bad;
        List<Scope> scopes;
        try {
            scopes = scopes(q.all("scope"));
        } catch (IllegalArgumentException e) {
            return json(400, errors("UNSUPPORTED", e.getMessage()));
        }
        String account = "";
        Optional<BasicCredentials> credentials = BasicCredentials.from(headers);
        if (credentials.isPresent()) {
            BasicCredentials c = credentials.get();
            if (accounts == null || !accounts.verify(c.user(), c.password())) {
                return new TokenResponse(401, Map.of("Content-Type", "application/json",
                        "WWW-Authenticate", "Basic realm=" + Challenge.quote(settings.service())),
                        errors("UNAUTHORIZED", "authentication required: incorrect username or password"));
            }
            account = c.user();
        }
        String asked = q.first("account");
        if (asked != null && !asked.isEmpty() && !asked.equals(account)) {
            return json(400, errors("DENIED", "account \"" + asked + "\" does not match the credentials given"));
        }
        Issued issued = issue(account, scopes);
        ObjectNode out = JSON.createObjectNode();
        out.put("token", issued.token());
        out.put("access_token", issued.token());
        out.put("expires_in", issued.expiresIn());
        out.put("issued_at", issued.issuedAt().toString());
        if ("true".equals(q.first("offline_token")) && !account.isEmpty()) out.put("refresh_token", refreshToken(account));
        return json(200, bytes(out));
    }

    private TokenResponse post(Query form) {
        TokenResponse bad = checkService(form.first("service"));
        if (bad != null) return bad;
        String grant = form.first("grant_type");
        String user;
        String refresh = null;
        if ("password".equals(grant)) {
            user = form.first("username");
            String password = form.first("password");
            if (user == null || password == null || accounts == null || !accounts.verify(user, password)) {
                return json(401, oauthError("invalid_grant", "incorrect username or password"));
            }
            if ("offline".equals(form.first("access_type"))) refresh = refreshToken(user);
        } else if ("refresh_token".equals(grant)) {
            refresh = form.first("refresh_token");
            Optional<String> account = refreshAccount(refresh);
            if (account.isEmpty()) return json(401, oauthError("invalid_grant", "invalid or expired refresh token"));
            user = account.get();
        } else {
            return json(400, oauthError("unsupported_grant_type", "the password and refresh_token grants are supported"));
        }
        List<Scope> scopes;
        try {
            scopes = scopes(form.all("scope"));
        } catch (IllegalArgumentException e) {
            return json(400, oauthError("invalid_scope", e.getMessage()));
        }
        Issued issued = issue(user, scopes);
        ObjectNode out = JSON.createObjectNode();
        out.put("access_token", issued.token());
        out.put("token_type", "Bearer");
        out.put("scope", String.join(" ", issued.granted().stream().map(Scope::toString).toList()));
        out.put("expires_in", issued.expiresIn());
        out.put("issued_at", issued.issuedAt().toString());
        if (refresh != null) out.put("refresh_token", refresh);
        return json(200, bytes(out));
    }

    private TokenResponse checkService(String service) {
        if (service == null || service.isEmpty() || service.equals(settings.service())) return null;
        return json(400, errors("UNSUPPORTED", "this token service issues tokens for \"" + settings.service()
                + "\", not \"" + service + "\""));
    }

    /** Scope parameters: repeated, and each may hold several scopes separated by spaces (OAuth2 style). */
    private static List<Scope> scopes(List<String> params) {
        List<Scope> out = new ArrayList<>();
        for (String p : params) for (String s : p.trim().split(" +")) if (!s.isEmpty()) out.add(Scope.parse(s));
        return out;
    }

    private static TokenResponse json(int status, byte[] body) {
        return new TokenResponse(status, Map.of("Content-Type", "application/json", "Cache-Control", "no-store"), body);
    }

    /** The distribution spec's error body. */
    static byte[] errors(String code, String message) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode e = out.putArray("errors").addObject();
        e.put("code", code);
        e.put("message", message);
        e.putNull("detail");
        return bytes(out);
    }

    private static byte[] oauthError(String error, String description) {
        ObjectNode out = JSON.createObjectNode();
        out.put("error", error);
        out.put("error_description", description);
        return bytes(out);
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
