package io.egressguard.load;

/** Input that cannot be read: names the file, the document (1-based) and the reason. */
public final class InputException extends Exception {

    private final String source;
    private final int document;

    public InputException(String source, int document, String reason) {
        super(source + (document > 0 ? " (document " + document + ")" : "") + ": " + reason);
        this.source = source;
        this.document = document;
    }

    public String source() {
        return source;
    }

    public int document() {
        return document;
    }
}
