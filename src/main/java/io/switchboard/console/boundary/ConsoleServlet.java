package io.switchboard.console.boundary;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Map;

/**
 * The admin console's static files ({@code /console/}, from the WAR) and the WebJars it uses ({@code /webjars/},
 * from their jars' {@code META-INF/resources}). A servlet of its own because the JAX-RS application sits at the
 * context root and would otherwise answer these paths with 404s. The files hold no data: the console signs in
 * with the admin token and reads everything from the admin API, so serving them needs no credentials. Every
 * answer forbids framing and inline scripts (the console renders admin data as text, never as HTML, and the
 * policy makes a slip there inert).
 */
@WebServlet(urlPatterns = {"/console", "/console/*", "/webjars/*"})
public class ConsoleServlet extends HttpServlet {

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");
    static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        if (path.equals("/console")) { // relative links need the slash
            response.sendRedirect(request.getContextPath() + "/console/");
            return;
        }
        if (path.endsWith("/")) path += "index.html";
        String type = TYPES.get(path.substring(path.lastIndexOf('.') + 1));
        URL file = path.contains("..") || type == null ? null : resource(path);
        if (file == null) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        response.setContentType(type);
        response.setHeader("Content-Security-Policy", POLICY);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        // the console's own files change with each release and must be re-checked; a WebJar's path has its version
        response.setHeader("Cache-Control", path.startsWith("/webjars/") ? "public, max-age=86400" : "no-cache");
        try (InputStream in = file.openStream()) {
            in.transferTo(response.getOutputStream());
        }
    }

    private URL resource(String path) throws IOException {
        URL inWar = getServletContext().getResource(path);
        if (inWar != null || !path.startsWith("/webjars/")) return inWar;
        return Thread.currentThread().getContextClassLoader().getResource("META-INF/resources" + path);
    }
}
