package dev.berth.registry.auth;

import java.util.Map;
import java.util.Optional;

/**
 * distribution's {@code htpasswd} auth: every request carries {@code Authorization: Basic};
 * any user in the file may pull, push and delete anything (there is no access list: use the
 * token service for per-repository rights). Without valid credentials: 401 with
 * {@code WWW-Authenticate: Basic realm="<realm>"}.
 */
public final class BasicAuthorizer implements RegistryAuthorizer {

    private final String realm;
    private final Htpasswd htpasswd;

    public BasicAuthorizer(String realm, Htpasswd htpasswd) {
        this.realm = realm;
        this.htpasswd = htpasswd;
    }

    public String challenge() {
        return "Basic realm=" + Challenge.quote(realm);
    }

    @Override
    public Decision check(String method, String repository, String action, Map<String, String> headers) {
        Optional<BasicCredentials> credentials = BasicCredentials.from(headers);
        if (credentials.isPresent() && htpasswd.verify(credentials.get().user(), credentials.get().password())) {
            return new Decision.Allow(credentials.get().user());
        }
        return Decision.unauthorized(challenge());
    }
}
