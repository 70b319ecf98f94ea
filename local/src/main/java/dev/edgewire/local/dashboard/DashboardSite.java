package dev.edgewire.local.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgewire.local.http.HttpIo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.ResourceService;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * The live dashboard page on local mode's web port: the page's files from the class path
 * ({@code dashboard/}), uPlot from its webjar under {@code /vendor/uplot/} (its {@code dist/} files), and
 * {@code /config.json}, which points the page at the local stage with a valid token, and
 * {@code /operations.json}, the operations panel's figures ({@link OperationsFigures}: read from the
 * functions' own metrics documents). Anything else is a 404.
 *
 * <p>The token is a bearer credential, so {@code /config.json} answers only requests addressed to
 * a loopback host name (a page on another site that rebinds its DNS name to 127.0.0.1 gets a
 * 403) and is never cached; other origins cannot read it because no CORS header is sent.
 */
public final class DashboardSite extends Handler.Wrapper {

    static final String CONFIG_PATH = "/config.json";
    static final String OPERATIONS_PATH = "/operations.json";
    static final String UPLOT_PATH = "/vendor/uplot";
    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "localhost", "[::1]", "::1");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Scripts and styles from this origin only; sockets to any stage; no frames, no plugins. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self' ws: wss: https:; form-action 'self'; base-uri 'none'; "
            + "frame-ancestors 'none'";

    private final URI stageUrl;
    private final Supplier<String> token;
    private final OperationsFigures operations;

    /**
     * @param server the server the page is served by (owns the class-path resource mounts)
     * @param stageUrl the local stage's WebSocket URL, {@code ws://127.0.0.1:<port>/<stage>}
     * @param token a valid token for it, read when the page asks
     * @param operations the operations panel's figures, served as {@value #OPERATIONS_PATH}
     */
    public DashboardSite(Server server, URI stageUrl, Supplier<String> token, OperationsFigures operations) {
        this.stageUrl = stageUrl;
        this.token = token;
        this.operations = operations;
        ResourceFactory resources = ResourceFactory.of(server);
        setHandler(new ContextHandlerCollection(
                new ContextHandler(files(resources, "META-INF/resources/webjars/uplot/" + uplotVersion() + "/"),
                        UPLOT_PATH),
                new ContextHandler(files(resources, "dashboard/"), "/")));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        var headers = response.getHeaders();
        headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.put("X-Content-Type-Options", "nosniff");
        // The page's address may carry a token; never send it on as a referrer.
        headers.put("Referrer-Policy", "no-referrer");
        if (CONFIG_PATH.equals(Request.getPathInContext(request))) {
            return config(request, response, callback);
        }
        if (OPERATIONS_PATH.equals(Request.getPathInContext(request))) {
            if (!HttpMethod.GET.is(request.getMethod())) {
                response.getHeaders().put(HttpHeader.ALLOW, "GET");
                return HttpIo.json(response, callback, 405, "{\"message\":\"Use GET\"}");
            }
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            return HttpIo.json(response, callback, 200, JSON.writeValueAsString(operations.toJson()));
        }
        return super.handle(request, response, callback);
    }

    private boolean config(Request request, Response response, Callback callback) throws IOException {
        if (!HttpMethod.GET.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET");
            return HttpIo.json(response, callback, 405, "{\"message\":\"Use GET\"}");
        }
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (!LOOPBACK_HOSTS.contains(Request.getServerName(request))) {
            return HttpIo.json(response, callback, 403,
                    "{\"message\":\"Open the dashboard at http://127.0.0.1:<port>/ to get the local stage's token\"}");
        }
        return HttpIo.json(response, callback, 200,
                JSON.writeValueAsString(Map.of("url", stageUrl.toString(), "token", token.get())));
    }

    private static ResourceHandler files(ResourceFactory resources, String classPathFolder) {
        URL folder = DashboardSite.class.getClassLoader().getResource(classPathFolder);
        if (folder == null) {
            throw new IllegalStateException(classPathFolder + " is missing from the class path");
        }
        ResourceHandler files = new ResourceHandler();
        files.setBaseResource(resources.newResource(folder));
        files.setDirAllowed(false);
        files.setWelcomeFiles("index.html");
        files.setWelcomeMode(ResourceService.WelcomeMode.SERVE);
        files.setEtags(true);
        // Small files that change with each build: always revalidate (ETag), never serve stale.
        files.setCacheControl("no-cache");
        return files;
    }

    /** The uPlot version on the class path, from its webjar's Maven metadata. */
    static String uplotVersion() {
        try (InputStream in = DashboardSite.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the uPlot webjar (org.webjars.npm:uplot) is not on the class path");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
