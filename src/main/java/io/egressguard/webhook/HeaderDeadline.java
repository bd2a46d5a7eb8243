package io.egressguard.webhook;

import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.spi.tls.SslContextFactory;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A deadline for the headers of the first request on an admission connection ({@code egress-guard.header-timeout}):
 * a connection whose TLS handshake is done but whose first request's headers have not all arrived that long after
 * is closed. Neither Vert.x nor Quarkus has one: the idle timeout is reset by every byte, so a client sending a
 * header byte every few seconds (slowloris) would hold a connection, and the memory of its half-read headers, for
 * as long as it likes. The API server sends its request as soon as the connection is up. The handshake itself is
 * bounded by Vert.x's TLS handshake timeout (10 s); later requests on a kept-alive connection by the idle timeout.
 *
 * <p>The deadline starts when the handshake completes: the admission server's TLS engine is wrapped so that every
 * connection's TLS handler reports it. A request reaching the router (its headers are complete) marks its
 * connection; the deadline closes connections not marked by then.
 */
@ApplicationScoped
public class HeaderDeadline implements HttpServerOptionsCustomizer {

    static final AttributeKey<Boolean> HEADERS_IN = AttributeKey.valueOf("egress-guard.headers-in");

    @Inject
    WebhookConfig config;

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        options.setSslEngineOptions(new EngineOptions(config.headerTimeout().toMillis()));
    }

    /** First of all routes: the request's headers are complete, so its connection has met the deadline. */
    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            if (ctx.request().connection() instanceof ConnectionBase connection) {
                connection.channel().attr(HEADERS_IN).set(Boolean.TRUE);
            }
            ctx.next();
        });
    }

    /** Closes the channel if no request's headers have come in within the deadline after its handshake. */
    static void arm(SslHandler handler, long millis) {
        handler.handshakeFuture().addListener(handshake -> {
            if (handshake.isSuccess() && handshake.getNow() instanceof Channel channel) {
                channel.eventLoop().schedule(() -> {
                    if (channel.attr(HEADERS_IN).get() == null) {
                        channel.close();
                    }
                }, millis, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** The JDK TLS engine (Quarkus's default), whose contexts arm the deadline on every new TLS handler. */
    static final class EngineOptions extends JdkSSLEngineOptions {
        private final long millis;

        EngineOptions(long millis) {
            this.millis = millis;
        }

        private EngineOptions(EngineOptions other) {
            super(other);
            this.millis = other.millis;
        }

        @Override
        public JdkSSLEngineOptions copy() {
            return new EngineOptions(this);
        }

        @Override
        public SslContextFactory sslContextFactory() {
            return new ContextFactory(super.sslContextFactory(), millis);
        }
    }

    /** Vert.x's own context factory, whose contexts are wrapped to arm the deadline. */
    private record ContextFactory(SslContextFactory delegate, long millis) implements SslContextFactory {

        @Override
        public SslContextFactory useAlpn(boolean useAlpn) {
            delegate.useAlpn(useAlpn);
            return this;
        }

        @Override
        public SslContextFactory clientAuth(ClientAuth clientAuth) {
            delegate.clientAuth(clientAuth);
            return this;
        }

        @Override
        public SslContextFactory forClient(boolean forClient) {
            delegate.forClient(forClient);
            return this;
        }

        @Override
        public SslContextFactory keyMananagerFactory(KeyManagerFactory factory) {
            delegate.keyMananagerFactory(factory);
            return this;
        }

        @Override
        public SslContextFactory trustManagerFactory(TrustManagerFactory factory) {
            delegate.trustManagerFactory(factory);
            return this;
        }

        @Override
        public SslContextFactory enabledCipherSuites(Set<String> cipherSuites) {
            delegate.enabledCipherSuites(cipherSuites);
            return this;
        }

        @Override
        public SslContextFactory applicationProtocols(List<String> protocols) {
            delegate.applicationProtocols(protocols);
            return this;
        }

        @Override
        public SslContextFactory serverName(String serverName) {
            delegate.serverName(serverName);
            return this;
        }

        @Override
        public SslContext create() throws SSLException {
            SslContext context = delegate.create();
            if (context.isClient()) {
                return context;
            }
            return new DelegatingSslContext(context) {
                @Override
                protected void initEngine(SSLEngine engine) {
                }

                @Override
                protected void initHandler(SslHandler handler) {
                    arm(handler, millis);
                }
            };
        }
    }
}
