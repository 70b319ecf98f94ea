package dev.edgewire.local.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dashboard's files, uPlot and {@code /config.json} over a real loopback HTTP server. */
class DashboardSiteIT {

    static Server server;
    static String base;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new DashboardSite(server, URI.create("ws://127.0.0.1:9/local"), () -> "a-token",
                new OperationsFigures(java.time.Clock.systemUTC(), "local")));
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    @Test
    void theRoot_servesThePage_withAStrictContentSecurityPolicy() throws Exception {
        HttpResponse<String> page = get("/");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("<script type=\"module\" src=\"/dashboard.js\">");
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'").contains("default-src 'none'"));
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(page.headers().firstValue("ETag")).isPresent();
    }

    @Test
    void modulesAndUplot_comeFromTheClassPath_asJavaScript() throws Exception {
        for (String path : new String[] {"/dashboard.js", "/connection.js", "/series.js", "/charts.js", "/operations.js",
                "/vendor/uplot/dist/uPlot.esm.js"}) {
            HttpResponse<String> script = get(path);
            assertThat(script.statusCode()).as(path).isEqualTo(200);
            assertThat(script.headers().firstValue("Content-Type")).as(path).hasValue("text/javascript");
        }
        assertThat(get("/vendor/uplot/dist/uPlot.min.css").headers().firstValue("Content-Type")).hasValue("text/css");
        assertThat(get("/vendor/uplot/dist/uPlot.esm.js").body()).contains("export { uPlot as default }");
    }

    @Test
    void unknownPaths_are404() throws Exception {
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        assertThat(get("/dashboard/index.html").statusCode()).isEqualTo(404);
        assertThat(get("/vendor/uplot/dist/nope.js").statusCode()).isEqualTo(404);
        assertThat(get("/edgewire-local-log4j2.xml").statusCode()).as("other class-path files stay hidden").isEqualTo(404);
    }

    @Test
    void operations_givesThePanelsFigures_neverCached_andOnlyToGet() throws Exception {
        HttpResponse<String> operations = get("/operations.json");

        assertThat(operations.statusCode()).isEqualTo(200);
        assertThat(operations.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(operations.body()).contains("\"stage\":\"local\"").contains("\"readingsInPerSecond\":0.0")
                .contains("\"connections\":null");
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/operations.json"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void config_givesTheLocalStageAndToken_neverCached() throws Exception {
        HttpResponse<String> config = get("/config.json");

        assertThat(config.statusCode()).isEqualTo(200);
        assertThat(config.body()).contains("\"url\":\"ws://127.0.0.1:9/local\"").contains("\"token\":\"a-token\"");
        assertThat(config.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(config.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void config_refusesAHostNameThatIsNotLoopback_soDnsRebindingGetsNoToken() throws Exception {
        // java.net.http will not send a made-up Host header; a raw request does.
        String response;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), URI.create(base).getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /config.json HTTP/1.1\r\nHost: attacker.example:" + URI.create(base).getPort()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(response).startsWith("HTTP/1.1 403").doesNotContain("a-token");
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
