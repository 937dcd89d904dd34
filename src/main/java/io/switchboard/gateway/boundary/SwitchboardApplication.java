package io.switchboard.gateway.boundary;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The JAX-RS application at the context root, so the OpenAI API sits at {@code /v1} as SDKs expect. */
@ApplicationPath("/")
public class SwitchboardApplication extends Application {
}
