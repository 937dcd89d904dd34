package io.switchboard.deployment;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.switchboard.deployment.DeploymentFilesIT.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two Containerfiles under {@code liberty/}, checked offline as an image build would check them: their first
 * lines say how to build them, what each copies exists after the documented build ({@code ./switchboard package},
 * which {@code ./switchboard test} runs first) and is this checkout's, they run as a numeric non-root user with
 * nothing started at build time, on the pom's Liberty and on the JVM family {@code jvm.options} is written for.
 * An IT only because it reads that build's output.
 */
class ContainerImagesIT {

    @Test
    void everyContainerfileCopiesWhatTheDocumentedBuildMakesAndRunsAsNonRootWithNothingStarted() throws IOException {
        List<Path> files = containerfiles();
        assertEquals(2, files.size(), "a gateway image and an engine-host image: " + files);
        Pattern copy = Pattern.compile("^COPY\\s+(.*)$");
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            String header = String.join("\n", lines.subList(0, Math.min(6, lines.size())));
            assertTrue(header.contains("./switchboard package") && header.contains("build -f liberty/" + file.getFileName()),
                    file + ": its first lines say how to build it");
            String user = null;
            for (String line : lines) {
                Matcher m = copy.matcher(line);
                if (m.matches() && !m.group(1).contains("--from=")) {
                    List<String> words = new ArrayList<>(List.of(m.group(1).trim().split("\\s+")));
                    words.removeIf(w -> w.startsWith("--"));
                    for (String source : words.subList(0, words.size() - 1)) {
                        assertTrue(Files.exists(ROOT.resolve(source)), file.getFileName() + " copies " + source
                                + ", which ./switchboard package did not make");
                    }
                }
                if (line.startsWith("USER ")) user = line.substring(5).trim();
                if (line.startsWith("RUN ")) {
                    assertFalse(line.matches(".*(server (start|run)|configure\\.sh).*"), file + ": nothing starts at build time: " + line);
                }
            }
            assertNotNull(user, file + " sets a USER");
            assertTrue(user.matches("[1-9][0-9]*(:[0-9]+)?"), file + " runs as a numeric non-root user, not " + user);
        }
        // what the copied server folder must hold to start, and that it is this build's, not an older one's
        Path server = ROOT.resolve("target/image/wlp/usr/servers/defaultServer");
        for (String needed : List.of("server.xml", "jvm.options", "apps/switchboard.war")) {
            assertTrue(Files.isRegularFile(server.resolve(needed)), "target/image lacks " + needed);
        }
        assertTrue(Files.isExecutable(ROOT.resolve("target/image/wlp/bin/server")), "target/image holds Liberty itself");
        try (Stream<Path> jars = Files.list(server.resolve("lib/global"))) {
            List<String> names = jars.map(j -> j.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(n -> n.startsWith("postgresql")) && names.stream().anyMatch(n -> n.startsWith("hibernate-core")),
                    "lib/global holds the JDBC driver and Hibernate: " + names);
        }
        // the same classes and files as this build's WAR (mvn verify packs it again after ./switchboard package:
        // the bytes differ by the entries' times, their contents do not)
        var built = contents(ROOT.resolve("target/switchboard.war"));
        var copied = contents(server.resolve("apps/switchboard.war"));
        var differing = new java.util.TreeSet<>(built.keySet());
        differing.addAll(copied.keySet());
        differing.removeIf(name -> java.util.Objects.equals(built.get(name), copied.get(name)));
        assertTrue(differing.isEmpty(), "target/image holds another build's WAR (run ./switchboard package again); differing: " + differing);
        assertEquals(Files.readString(ROOT.resolve("server-config/server.xml")), Files.readString(server.resolve("server.xml")),
                "target/image holds this checkout's server.xml");
    }

    /** A zip's files and their CRCs, by name. */
    static java.util.Map<String, Long> contents(Path zip) throws IOException {
        java.util.Map<String, Long> crcs = new java.util.TreeMap<>();
        try (var file = new java.util.zip.ZipFile(zip.toFile())) {
            file.stream().filter(e -> !e.isDirectory()).forEach(e -> crcs.put(e.getName(), e.getCrc()));
        }
        return crcs;
    }

    static String imageUser(Path containerfile) throws IOException {
        String user = null;
        for (String line : Files.readAllLines(containerfile)) if (line.startsWith("USER ")) user = line.substring(5).trim();
        assertNotNull(user, containerfile + " sets a USER");
        return user;
    }

    @Test
    void theImagesRunThePomsLibertyOnTheJvmFamilyTheJvmOptionsAreFor() throws IOException {
        Properties version = new Properties();
        try (var in = Files.newInputStream(ROOT.resolve("target/image/wlp/lib/versions/openliberty.properties"))) {
            version.load(in);
        }
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        Matcher m = Pattern.compile("<openliberty.version>([^<]+)</openliberty.version>").matcher(pom);
        assertTrue(m.find());
        assertEquals(m.group(1), version.getProperty("com.ibm.websphere.productVersion"), "the image's Liberty is the pom's");

        boolean hotSpotOptions = Files.readAllLines(ROOT.resolve("server-config/jvm.options")).stream()
                .anyMatch(line -> line.matches("-XX:[+-]?(UseParallelGC|UseG1GC|MaxMetaspaceSize=.*|MetaspaceSize=.*)"));
        for (Path file : containerfiles()) {
            // the images the JVM comes from: FROM lines, not comments
            String text = String.join("\n", Files.readAllLines(file).stream().filter(l -> l.startsWith("FROM ")).toList());
            boolean openJ9 = text.contains("openj9") || text.contains("open-liberty") || text.contains("websphere-liberty");
            boolean temurin = text.contains("eclipse-temurin");
            if (hotSpotOptions) {
                assertTrue(temurin && !openJ9, file + ": jvm.options carries HotSpot flags, which OpenJ9 ignores");
            }
        }
    }

    static List<Path> containerfiles() throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve("liberty"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("Containerfile")).sorted().toList();
        }
    }

}
