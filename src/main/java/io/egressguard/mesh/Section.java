package io.egressguard.mesh;

/** The protocol section a route lives in: VirtualService {@code http}/{@code tls}/{@code tcp}, HTTPRoute, TLSRoute. */
public enum Section {
    HTTP("http"), TLS("tls"), TCP("tcp");

    private final String field;

    Section(String field) {
        this.field = field;
    }

    public String field() {
        return field;
    }
}
