package io.egressguard.model;

import java.util.List;

/**
 * One problem found on one object.
 *
 * @param code     the public rule code, e.g. {@code EG101}
 * @param severity after configuration overrides
 * @param object   the object the finding is reported on
 * @param path     the field path inside the object, e.g. {@code spec.http[0].route[0].destination.host}
 * @param message  what happens, then why: the consequence comes first, so that the first
 *                 {@value #MAX_MESSAGE} characters of {@link #warningLine()}, all kubectl shows of a
 *                 warning, carry the code, the object and the consequence
 * @param detail   the longer explanation of the Istio behaviour and the fix
 * @param related  other objects involved
 */
public record Finding(String code, Severity severity, ObjectRef object, String path, String message, String detail,
        List<ObjectRef> related) {

    /** How much of a warning kubectl shows. */
    public static final int MAX_MESSAGE = 120;

    public Finding {
        related = List.copyOf(related);
    }

    public Finding withSeverity(Severity s) {
        return new Finding(code, s, object, path, message, detail, related);
    }

    /** The line kubectl shows: {@code EG201 VirtualService default/x: message}. */
    public String warningLine() {
        return code + " " + object + ": " + message;
    }
}
