package io.egressguard.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The webhook over real HTTPS on the state in {@code src/test/resources/webhook/state}: recorded
 * AdmissionReviews in {@code reviews/NAME.json}, the exact expected answers in {@code reviews/NAME.response.json}.
 */
@QuarkusTest
@TestProfile(StandaloneProfile.class)
@QuarkusTestResource(value = TlsCertificates.class, restrictToAnnotatedClass = true)
class WebhookStandaloneTest {

    static final Path REVIEWS = Path.of("src", "test", "resources", "webhook", "reviews");
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    InFlightReviews inFlight;

    @Inject
    io.vertx.core.Vertx vertx;

    @BeforeEach
    void https() {
        RestAssured.baseURI = "https://localhost";
        RestAssured.port = ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class);
    }

    static Response post(byte[] body) {
        return given().contentType("application/json").body(body).when().post("/validate");
    }

    @TestFactory
    Stream<DynamicTest> recordedReviewsGetTheirExactAnswers() throws IOException {
        List<Path> reviews;
        try (Stream<Path> s = Files.list(REVIEWS)) {
            reviews = s.filter(p -> p.toString().endsWith(".json") && !p.toString().endsWith(".response.json")).sorted().toList();
        }
        assertFalse(reviews.isEmpty());
        return reviews.stream().map(review -> DynamicTest.dynamicTest(review.getFileName().toString(), () -> {
            Response r = post(Files.readAllBytes(review));
            assertEquals(200, r.statusCode(), r.asString());
            Path expectedFile = Path.of(review.toString().replace(".json", ".response.json"));
            JsonNode actual = JSON.readTree(r.asString());
            assertTrue(Files.exists(expectedFile), "no expected answer " + expectedFile + "; got:\n"
                    + JSON.writerWithDefaultPrettyPrinter().writeValueAsString(actual));
            assertEquals(JSON.readTree(expectedFile.toFile()), actual);
        }));
    }

    @Test
    void warningsAreShortAndNameCodeAndObject() throws IOException {
        JsonNode r = JSON.readTree(post(Files.readAllBytes(REVIEWS.resolve("update-virtualservice-without-mesh.json"))).asString());
        JsonNode warnings = r.path("response").path("warnings");
        assertTrue(warnings.size() > 0);
        for (JsonNode w : warnings) {
            assertTrue(w.asText().length() <= 120, w.asText());
            assertTrue(w.asText().matches("EG\\d{3} \\w+ [\\w-]+/[\\w.-]+: .*"), w.asText());
        }
    }

    @Test
    void bodiesThatAreNotAdmissionReviewsGet400() throws Exception {
        post("{not json".getBytes()).then().statusCode(400).body("message", containsString("malformed JSON"));
        post("[]".getBytes()).then().statusCode(400).body("message", containsString("JSON object"));
        post("{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"x\"}}".getBytes())
                .then().statusCode(400).body("message", containsString("admission.k8s.io/v1"));
        post("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}".getBytes())
                .then().statusCode(400).body("message", containsString("no request"));
        post("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{}}".getBytes())
                .then().statusCode(400).body("message", containsString("request.uid"));
        post(new byte[0]).then().statusCode(400).body("message", containsString("empty body"));
        assertEquals(413, declareOversizedBody(4 * 1024 * 1024 + 1), "refused before the body is read");
        assertEquals(400, post(" ".repeat(4 * 1024 * 1024 - 10).getBytes()).statusCode(), "under the limit: read, not JSON");
    }

    /**
     * Only a DELETE reads {@code oldObject}: wherever it stands in the request (even before {@code operation}) it
     * is decoded, while that of an UPDATE is read through without being built, and is still malformed JSON when
     * it is.
     */
    @Test
    void theOldObjectIsDecodedForADeleteOnlyAndAlwaysReadAsJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode delete = json.readTree(REVIEWS.resolve("delete-destinationrule.json").toFile());
        var request = (com.fasterxml.jackson.databind.node.ObjectNode) delete.get("request");
        var reordered = json.createObjectNode();
        reordered.set("oldObject", request.get("oldObject").deepCopy());
        ((com.fasterxml.jackson.databind.node.ObjectNode) reordered.get("oldObject")).put("spec", "not an object");
        request.fields().forEachRemaining(e -> reordered.putIfAbsent(e.getKey(), e.getValue()));
        ((com.fasterxml.jackson.databind.node.ObjectNode) delete).set("request", reordered);
        post(json.writeValueAsBytes(delete)).then().statusCode(200)
                .body("response.allowed", equalTo(true))
                .body("response.warnings[0]", containsString("cannot read the object: request.oldObject: spec"));

        String update = Files.readString(REVIEWS.resolve("update-virtualservice-without-mesh.json"));
        JsonNode expected = json.readTree(REVIEWS.resolve("update-virtualservice-without-mesh.response.json").toFile());
        JsonNode updateTree = json.readTree(update);
        ((com.fasterxml.jackson.databind.node.ObjectNode) updateTree.get("request")).put("oldObject", "not an object");
        assertEquals(expected, json.readTree(post(json.writeValueAsBytes(updateTree)).then().statusCode(200)
                .extract().asByteArray()), "an UPDATE's oldObject is not decoded");
        int old = update.indexOf("\"oldObject\"");
        String broken = update.substring(0, old) + "\"oldObject\": {\"spec\": [1, }}}";
        post(broken.getBytes()).then().statusCode(400).body("message", containsString("malformed JSON"));
    }

    /**
     * The API server sends every object with its metadata.managedFields; no check reads them, so they are read
     * through without being decoded: a review is answered as without them (here they are not even a list the
     * model could decode), for the object and a DELETE's oldObject alike, and malformed JSON in them is still a 400.
     */
    @Test
    void theManagedFieldsOfTheRequestsObjectsAreReadThroughNotDecoded() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (String name : List.of("update-virtualservice-without-mesh", "delete-destinationrule")) {
            JsonNode review = json.readTree(REVIEWS.resolve(name + ".json").toFile());
            JsonNode expected = json.readTree(post(json.writeValueAsBytes(review)).then().statusCode(200)
                    .extract().asByteArray());
            String object = name.startsWith("delete") ? "oldObject" : "object";
            ((com.fasterxml.jackson.databind.node.ObjectNode) review.get("request").get(object).get("metadata"))
                    .put("managedFields", "not a list of entries");
            assertEquals(expected, json.readTree(post(json.writeValueAsBytes(review)).then().statusCode(200)
                    .extract().asByteArray()), name + ": request." + object + ".metadata.managedFields is decoded");
        }
        String update = Files.readString(REVIEWS.resolve("update-virtualservice-without-mesh.json"));
        int metadata = update.indexOf("\"metadata\"", update.indexOf("\"object\"")) + "\"metadata\"".length();
        String broken = update.substring(0, metadata) + ": {\"managedFields\": [{\"fieldsV1\": }], "
                + update.substring(update.indexOf('{', metadata) + 1);
        post(broken.getBytes()).then().statusCode(400).body("message", containsString("malformed JSON"));
    }

    /**
     * A body without a declared length (chunked) is cut off once past the limit: the connection is closed while
     * the rest is still coming, rather than the whole body being read (and held) to answer 400.
     */
    @Test
    void anUndeclaredBodyOverTheLimitIsCutOff() throws Exception {
        var ascii = java.nio.charset.StandardCharsets.US_ASCII;
        boolean cut;
        try (var socket = rawConnection()) {
            var out = socket.getOutputStream();
            out.write(("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(ascii));
            byte[] chunk = (Integer.toHexString(65_536) + "\r\n" + " ".repeat(65_536) + "\r\n").getBytes(ascii);
            try {
                for (int i = 0; i < 128; i++) { // 8 MiB, twice the limit
                    out.write(chunk);
                }
                out.write("0\r\n\r\n".getBytes(ascii));
                out.flush();
                String answer = new String(socket.getInputStream().readAllBytes(), ascii);
                cut = answer.isEmpty() || answer.startsWith("HTTP/1.1 413");
            } catch (IOException e) {
                cut = true; // closed by the server while the body was still being sent
            }
        }
        assertTrue(cut, "an undeclared body of twice the limit was read to its end");
        assertEquals(200, post(Files.readAllBytes(REVIEWS.resolve("create-virtualservice-loop.json"))).statusCode());
    }

    /**
     * A review larger than the ones decided on the event loop (an object with a megabyte annotation) is decided on
     * a worker thread, with the same answer as the object without it; declared length or chunked.
     */
    @Test
    void aLargeReviewGetsTheAnswerOfItsObject() throws Exception {
        JsonNode review = JSON.readTree(REVIEWS.resolve("update-virtualservice-without-mesh.json").toFile());
        JsonNode expected = JSON.readTree(REVIEWS.resolve("update-virtualservice-without-mesh.response.json").toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) review.path("request").path("object").path("metadata"))
                .putObject("annotations").put("example.com/large", "x".repeat(1_000_000));
        byte[] body = JSON.writeValueAsBytes(review);
        assertTrue(body.length > AdmissionResource.EVENT_LOOP_BYTES);

        Response declared = post(body);
        assertEquals(200, declared.statusCode(), declared.asString());
        assertEquals(expected, JSON.readTree(declared.asString()));

        var ascii = java.nio.charset.StandardCharsets.US_ASCII;
        try (var socket = rawConnection()) {
            var out = socket.getOutputStream();
            out.write(("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").getBytes(ascii));
            for (int at = 0; at < body.length; at += 65_536) {
                int n = Math.min(65_536, body.length - at);
                out.write((Integer.toHexString(n) + "\r\n").getBytes(ascii));
                out.write(body, at, n);
                out.write("\r\n".getBytes(ascii));
            }
            out.write("0\r\n\r\n".getBytes(ascii));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer.lines().findFirst().orElse(""));
            String content = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            if (answer.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
                content = content.substring(content.indexOf("\r\n") + 2, content.lastIndexOf("\r\n0\r\n"));
            }
            assertEquals(expected, JSON.readTree(content.trim()));
        }
    }

    @Test
    void anObjectThatCannotBeReadIsDeniedWith400InAProperReview() throws IOException {
        post(Files.readAllBytes(REVIEWS.resolve("create-serviceentry-unknown-resolution.json"))).then().statusCode(200)
                .body("response.allowed", equalTo(false))
                .body("response.status.code", equalTo(400))
                .body("response.status.message", containsString("spec.resolution"));
    }

    /** The certificate of certs/generate.sh verifies against its ca.crt for the Service DNS names the API server uses. */
    @Test
    void servedCertificateVerifiesForTheServiceDnsNames() throws Exception {
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(TlsCertificates.trustStore(TlsCertificates.dir.resolve("ca.crt")));
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        for (String name : List.of("egress-guard.egress-guard.svc", "egress-guard.egress-guard.svc.cluster.local")) {
            try (java.net.Socket plain = new java.net.Socket("localhost", RestAssured.port);
                    javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) ctx.getSocketFactory()
                            .createSocket(plain, name, RestAssured.port, true)) {
                javax.net.ssl.SSLParameters params = tls.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS"); // verify the certificate is for this host name
                tls.setSSLParameters(params);
                tls.startHandshake();
                assertTrue(tls.getSession().isValid());
            }
        }
        try (java.net.Socket plain = new java.net.Socket("localhost", RestAssured.port);
                javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) ctx.getSocketFactory()
                        .createSocket(plain, "other.example.com", RestAssured.port, true)) {
            javax.net.ssl.SSLParameters params = tls.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(params);
            org.junit.jupiter.api.Assertions.assertThrows(javax.net.ssl.SSLHandshakeException.class, tls::startHandshake);
        }
    }

    @Test
    void plainHttpIsNotServed() {
        int httpPort = ConfigProvider.getConfig().getOptionalValue("quarkus.http.test-port", Integer.class).orElse(8081);
        try {
            given().baseUri("http://localhost").port(httpPort).body("{}").post("/validate");
            throw new AssertionError("plain HTTP answered on " + httpPort);
        } catch (Exception expected) {
            // connection refused: the admission port speaks only TLS
        }
    }

    /**
     * With the room for large reviews taken, a large review is answered 429 as soon as its headers are in, and
     * over HTTP/1.1 its connection is closed so that its body is not received for nothing; ordinary reviews keep
     * their own lane; once the room is given back, the same review is read (here: 400, not JSON).
     */
    @Test
    void aLargeReviewWithoutRoomIsRefusedBeforeItsBodyIsRead() throws Exception {
        int largest = inFlight.claim(null);
        int held = 0;
        try {
            while (inFlight.enter(largest)) {
                held++;
            }
            String answer = rawPost(100_000, 16_384);
            assertTrue(answer.startsWith("HTTP/1.1 429"), answer);
            assertTrue(answer.contains("Retry-After: 1"), answer);
            assertTrue(answer.contains("too many reviews in flight"), answer);
            // rawPost read to the end of the stream: the server closed the connection without the rest of the body
            assertEquals(200, post(Files.readAllBytes(REVIEWS.resolve("create-virtualservice-loop.json"))).statusCode(),
                    "an ordinary review has its own lane");
        } finally {
            for (; held > 0; held--) {
                inFlight.leave(largest);
            }
        }
        assertEquals(400, post(" ".repeat(100_000).getBytes()).statusCode(), "room again: the body is read");
    }

    /**
     * Over HTTP/2 a refused review resets only its stream (NO_ERROR, after the complete answer): the connection
     * goes on carrying other reviews, as the API server multiplexes them on one connection.
     */
    @Test
    void overHttp2ARefusedReviewLeavesTheConnectionUsable() throws Exception {
        io.vertx.core.http.HttpClient client = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
                .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setSsl(true).setUseAlpn(true)
                .setTrustAll(true).setVerifyHost(false).setMaxPoolSize(1));
        byte[] review = Files.readAllBytes(REVIEWS.resolve("create-virtualservice-loop.json"));
        try {
            io.vertx.core.http.HttpClientResponse first = http2Post(client, review);
            assertEquals(200, first.statusCode());
            assertEquals(io.vertx.core.http.HttpVersion.HTTP_2, first.version());
            int largest = inFlight.claim(null);
            int held = 0;
            try {
                while (inFlight.enter(largest)) {
                    held++;
                }
                assertEquals(429, http2Post(client, " ".repeat(1_000_000).getBytes()).statusCode());
                io.vertx.core.http.HttpClientResponse after = http2Post(client, review);
                assertEquals(200, after.statusCode());
                assertSame(first.request().connection(), after.request().connection(), "the same connection");
            } finally {
                for (; held > 0; held--) {
                    inFlight.leave(largest);
                }
            }
        } finally {
            client.close();
        }
    }

    static io.vertx.core.http.HttpClientResponse http2Post(io.vertx.core.http.HttpClient client, byte[] body) throws Exception {
        return client.request(new io.vertx.core.http.RequestOptions().setMethod(io.vertx.core.http.HttpMethod.POST)
                        .setHost("localhost").setPort(RestAssured.port).setURI("/validate")
                        .putHeader("Content-Type", "application/json"))
                .compose(request -> request.send(io.vertx.core.buffer.Buffer.buffer(body)))
                .toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    /**
     * A client sending the headers of its first request a byte at a time (slowloris) is cut off at the header
     * deadline (2 s in this profile), although each byte resets the 30 s idle timeout; other reviews are answered
     * meanwhile, and a connection whose first request came in time stays open past the deadline for the next one.
     */
    @Test
    void headersSentSlowlyAreCutOffAtTheHeaderDeadline() throws Exception {
        byte[] review = Files.readAllBytes(REVIEWS.resolve("create-virtualservice-loop.json"));
        try (var kept = rawConnection(); var slow = rawConnection()) {
            assertTrue(exchange(kept, review).startsWith("HTTP/1.1 200"));
            slow.startHandshake();
            slow.setSoTimeout(250);
            byte[] header = "POST /validate HTTP/1.1\r\nHost: localhost\r\nX-Padding: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            long start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < 80 && !closed; i++) { // a byte every 250 ms, for 20 s at most
                try {
                    slow.getOutputStream().write(i < header.length ? header[i] : 'a');
                    slow.getOutputStream().flush();
                    closed = slow.getInputStream().read() == -1;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // no answer yet: the headers are not complete
                } catch (IOException reset) {
                    closed = true;
                }
                if (i == 2) {
                    assertEquals(200, post(review).statusCode(), "other reviews are answered meanwhile");
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(closed, "a connection trickling its headers was still open after 20 s");
            assertTrue(seconds >= 1.5 && seconds < 10, "closed after " + seconds + " s, not at the 2 s deadline");
            assertTrue(exchange(kept, review).startsWith("HTTP/1.1 200"), "a connection that sent its headers in time stays open");
        }
    }

    /** Sends one review on an HTTP/1.1 connection and reads its answer (by its Content-Length). */
    static String exchange(javax.net.ssl.SSLSocket socket, byte[] body) throws IOException {
        socket.getOutputStream().write(("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.getOutputStream().write(body);
        socket.getOutputStream().flush();
        var in = new java.io.DataInputStream(socket.getInputStream());
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            head.append((char) in.readUnsignedByte());
        }
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        byte[] answer = new byte[length.find() ? Integer.parseInt(length.group(1)) : 0];
        in.readFully(answer);
        return head + new String(answer, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A TLS connection to the admission port that trusts any certificate (its identity is tested elsewhere). */
    static javax.net.ssl.SSLSocket rawConnection() throws Exception {
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {
            }

            public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {
            }

            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket("localhost", RestAssured.port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /**
     * Sends the headers of a POST declaring a body of this length and the first bytes of it, then reads the answer
     * to the end of the stream (a timeout if the server keeps the connection open).
     */
    static String rawPost(long length, int sent) throws Exception {
        try (var socket = rawConnection()) {
            socket.getOutputStream().write(("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + length + "\r\n\r\n" + " ".repeat(sent)).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /** Sends only the headers of a POST declaring a body of this length, and returns the status of the answer. */
    static int declareOversizedBody(long length) throws Exception {
        try (var socket = rawConnection()) {
            socket.getOutputStream().write(("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }
}
