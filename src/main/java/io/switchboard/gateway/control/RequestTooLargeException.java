package io.switchboard.gateway.control;

import java.io.IOException;

/** Raised while reading a request body that passes the configured size limit. */
public class RequestTooLargeException extends IOException {

    private final long limitBytes;

    public RequestTooLargeException(long limitBytes) {
        super("request body exceeds " + limitBytes + " bytes");
        this.limitBytes = limitBytes;
    }

    public long limitBytes() {
        return limitBytes;
    }
}
