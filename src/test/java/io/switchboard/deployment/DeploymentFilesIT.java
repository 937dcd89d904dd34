package io.switchboard.deployment;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The deployment files under {@code liberty/}, checked offline as a cluster and an image build would check them:
 * every manifest against the vendored schemas (the Open Liberty Operator's CRD, Kubernetes' own for the built-in
 * kinds), strict about unknown fields; then what a schema cannot say (HTTP probes need {@code manageTLS: false},
 * probe ports are the service's, a network policy admits each app's callers, no credentials, pinned images, a
 * memory limit that holds the sleep tier and /dev/shm, gateways that start no engines, quota shares that count
 * every server). The images' own checks are {@link ContainerImagesIT}.
 */
class DeploymentFilesIT {

    static final Path ROOT = Path.of(System.getProperty("user.dir"));
    static final Path MANIFESTS = ROOT.resolve("liberty/kubernetes");
    static final Path SCHEMAS = ROOT.resolve("src/test/resources/deploy-schemas");
    static final YAMLMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = new ObjectMapper();

    static final String TENANT_LABEL = "switchboard.io/tenant";
    /** What a memory limit must hold besides what a manifest states: the JVM, and each vLLM process's own memory. */
    static final double JVM_GIB = 1.5;
    static final double ENGINE_PROCESS_GIB = 8;
    static final int ENGINES_AT_ONCE = 2;

    static List<Manifest> manifests;

    record Manifest(Path file, JsonNode doc) {
        String kind() {
            return doc.path("kind").asString();
        }

        String name() {
            return doc.path("metadata").path("name").asString();
        }

        @Override
        public String toString() {
            return file.getFileName() + ": " + kind() + " " + name();
        }
    }

    @BeforeAll
    static void read() throws IOException {
        manifests = new ArrayList<>();
        try (Stream<Path> files = Files.list(MANIFESTS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile()).readAll()) {
                    if (doc != null && !doc.isNull() && !doc.isMissingNode()) manifests.add(new Manifest(file, doc));
                }
            }
        }
        assertFalse(manifests.isEmpty(), "no manifests in " + MANIFESTS);
    }

    static List<Manifest> applications() {
        return manifests.stream().filter(m -> m.kind().equals("OpenLibertyApplication")).toList();
    }

    // ---- schemas ----

    @Test
    void everyManifestFollowsItsSchemaWithNoUnknownFields() throws IOException {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
        Schema application = registry.getSchema(strict(operatorSchema()));
        List<String> problems = new ArrayList<>();
        for (Manifest manifest : manifests) {
            Schema schema = manifest.kind().equals("OpenLibertyApplication") ? application : kubernetesSchema(registry, manifest);
            if (schema == null) {
                problems.add(manifest + ": no vendored schema for " + manifest.doc().path("apiVersion").asString());
                continue;
            }
            for (Error error : schema.validate(manifest.doc())) problems.add(manifest + ": " + error.getMessage());
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void theStrictSchemaRefusesAFieldTheOperatorDoesNotKnow() throws IOException {
        Schema application = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(strict(operatorSchema()));
        ObjectNode typo = (ObjectNode) applications().get(0).doc().deepCopy();
        ((ObjectNode) typo.path("spec").path("probes").path("readiness").path("httpGet")).put("schema", "HTTP");
        assertFalse(application.validate(typo).isEmpty(), "a misspelt probe field is refused");
        ObjectNode extra = (ObjectNode) applications().get(0).doc().deepCopy();
        ((ObjectNode) extra.path("spec")).put("replica", 2);
        assertFalse(application.validate(extra).isEmpty(), "an unknown spec field is refused");
        assertTrue(application.validate(applications().get(0).doc()).isEmpty(), "the manifest as it is passes");
    }

    /** The v1 openAPIV3Schema of the vendored OpenLibertyApplication CRD. */
    static JsonNode operatorSchema() throws IOException {
        Path crd;
        try (Stream<Path> files = Files.list(SCHEMAS)) {
            crd = files.filter(f -> f.getFileName().toString().startsWith("openlibertyapplication-crd")).findFirst()
                    .orElseThrow(() -> new AssertionError("the operator's CRD is not vendored in " + SCHEMAS));
        }
        for (JsonNode version : YAML.readTree(crd.toFile()).path("spec").path("versions")) {
            if (version.path("name").asString().equals("v1")) return version.path("schema").path("openAPIV3Schema");
        }
        throw new AssertionError("no v1 in " + crd);
    }

    /**
     * A CRD's schema as the API server's strict field validation applies it ({@code kubectl apply
     * --validate=strict}): an object with declared properties admits no others, unless it says it keeps unknown fields.
     */
    static JsonNode strict(JsonNode schema) {
        JsonNode copy = schema.deepCopy();
        tighten(copy);
        return copy;
    }

    private static void tighten(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("properties") && !object.has("additionalProperties")
                    && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                object.put("additionalProperties", false);
            }
            object.remove("$schema"); // nothing is fetched: the dialect is given
            for (Map.Entry<String, JsonNode> field : object.properties()) tighten(field.getValue());
        } else if (node != null && node.isArray()) {
            for (JsonNode item : node) tighten(item);
        }
    }

    /** Kubernetes' own schema for a built-in kind, from kubernetes-json-schema's standalone-strict set. */
    static Schema kubernetesSchema(SchemaRegistry registry, Manifest manifest) throws IOException {
        String apiVersion = manifest.doc().path("apiVersion").asString();
        String groupVersion = apiVersion.contains("/")
                ? apiVersion.substring(0, apiVersion.indexOf('/')).split("\\.")[0] + "-" + apiVersion.substring(apiVersion.indexOf('/') + 1)
                : apiVersion;
        String name = manifest.kind().toLowerCase(java.util.Locale.ROOT) + "-" + groupVersion + ".json";
        try (Stream<Path> found = Files.walk(SCHEMAS)) {
            Path file = found.filter(f -> f.getFileName().toString().equals(name)).sorted().findFirst().orElse(null);
            if (file == null) return null;
            JsonNode schema = JSON.readTree(file.toFile());
            tighten(schema);
            return registry.getSchema(schema);
        }
    }

    // ---- what a schema cannot say ----

    @Test
    void httpProbesAreOnThePlainServicePortWithTlsLeftToTheIngress() {
        assertFalse(applications().isEmpty());
        for (Manifest app : applications()) {
            JsonNode spec = app.doc().path("spec");
            int servicePort = spec.path("service").path("targetPort").asInt(spec.path("service").path("port").asInt());
            assertTrue(servicePort > 0, app + " names its service port");
            for (String probe : List.of("startup", "liveness", "readiness")) {
                JsonNode httpGet = spec.path("probes").path(probe).path("httpGet");
                assertFalse(httpGet.isMissingNode(), app + " has an HTTP " + probe + " probe");
                assertEquals("/health/" + (probe.equals("startup") ? "started" : probe.equals("liveness") ? "live" : "ready"),
                        httpGet.path("path").asString(), app + " " + probe + " probe path");
                assertEquals(servicePort, httpGet.path("port").asInt(), app + " " + probe + " probe port");
                assertFalse(httpGet.path("scheme").asString("HTTP").equals("HTTPS"), app + " " + probe + " is plain HTTP");
            }
            // left unset, the operator turns the probes to HTTPS against this plain-HTTP port: pods restart in a loop
            assertTrue(spec.has("manageTLS") && !spec.path("manageTLS").asBoolean(true), app + " sets manageTLS: false");
        }
    }

    @Test
    void aNetworkPolicyAdmitsEachAppsCallersAndItsScraper() {
        for (Manifest app : applications()) {
            int port = app.doc().path("spec").path("service").path("port").asInt();
            List<JsonNode> rules = new ArrayList<>();
            for (Manifest policy : manifests) {
                if (!policy.kind().equals("NetworkPolicy")) continue;
                JsonNode selector = policy.doc().path("spec").path("podSelector").path("matchLabels");
                if (!selector.path("app.kubernetes.io/instance").asString().equals(app.name())) continue;
                policy.doc().path("spec").path("ingress").forEach(rules::add);
            }
            assertFalse(rules.isEmpty(), "no NetworkPolicy selects the pods of " + app);
            boolean tenants = false;
            boolean scraper = false;
            for (JsonNode rule : rules) {
                boolean onPort = false;
                for (JsonNode p : rule.path("ports")) onPort |= p.path("port").asInt() == port;
                if (!onPort) continue;
                for (JsonNode peer : rule.path("from")) {
                    boolean prometheus = peer.path("podSelector").path("matchLabels").toString().contains("prometheus");
                    // the namespaces a platform team labels as tenants' (README: kubectl label namespace ...)
                    tenants |= peer.path("namespaceSelector").path("matchLabels").path(TENANT_LABEL).asString().equals("true")
                            && !peer.has("podSelector");
                    scraper |= prometheus && peer.has("namespaceSelector");
                }
            }
            assertTrue(tenants, app + ": namespaces labelled " + TENANT_LABEL + "=true are admitted on port " + port);
            if (app.doc().path("spec").has("monitoring")) assertTrue(scraper, app + ": Prometheus is admitted on port " + port);
            if (!app.doc().path("spec").path("networkPolicy").path("disable").asBoolean(false)) {
                fail(app + ": the operator's own policy (only this app's pods) would stand beside ours; disable it");
            }
        }
    }

    @Test
    void monitoringLabelsDisruptionBudgetsAndMemoryLimits() {
        for (Manifest app : applications()) {
            JsonNode spec = app.doc().path("spec");
            assertTrue(spec.path("monitoring").path("labels").size() > 0, app + ": the ServiceMonitor has labels to be found by");
            assertEquals("/metrics", spec.path("monitoring").path("endpoints").path(0).path("path").asString(), app.toString());
            assertTrue(manifests.stream().anyMatch(m -> m.kind().equals("PodDisruptionBudget")
                    && m.doc().path("apiVersion").asString().equals("policy/v1")
                    && m.doc().path("spec").path("selector").path("matchLabels").path("app.kubernetes.io/instance")
                    .asString().equals(app.name())), app + " has a policy/v1 PodDisruptionBudget");
            assertTrue(gibibytes(spec.path("resources").path("limits").path("memory").asString()) > 0, app + " has a memory limit");
        }
    }

    @Test
    void theEngineHostHasItsGpuSharedMemoryModelCacheTokenAndRoomForTheSleepTier() {
        Manifest host = applications().stream().filter(m -> m.name().contains("engine-host")).findFirst()
                .orElseThrow(() -> new AssertionError("no engine-host OpenLibertyApplication"));
        JsonNode spec = host.doc().path("spec");
        assertEquals("1", spec.path("resources").path("limits").path("nvidia.com/gpu").asString(), "one GPU per pod");
        assertFalse(spec.path("tolerations").isEmpty(), "tolerates the GPU nodes' taint");
        assertFalse(spec.path("affinity").isMissingNode(), "placed on GPU nodes");
        boolean shm = false;
        for (JsonNode volume : spec.path("volumes")) {
            if (!volume.path("emptyDir").path("medium").asString().equals("Memory")) continue;
            for (JsonNode mount : spec.path("volumeMounts")) {
                shm |= mount.path("name").asString().equals(volume.path("name").asString())
                        && mount.path("mountPath").asString().equals("/dev/shm");
            }
        }
        assertTrue(shm, "a memory-backed /dev/shm");
        assertFalse(spec.path("statefulSet").path("storage").path("mountPath").isMissingNode(), "a model-cache volume");
        double sleepTier = 0;
        boolean token = false;
        for (JsonNode variable : spec.path("env")) {
            if (variable.path("name").asString().equals("SWITCHBOARD_ENGINES_HOST_MEMORY_GIB")) sleepTier = variable.path("value").asDouble();
            if (variable.path("name").asString().equals("HF_TOKEN")) token = variable.path("valueFrom").has("secretKeyRef");
        }
        assertTrue(token, "HF_TOKEN comes from a Secret");
        assertTrue(sleepTier > 0, "the sleep tier's host-memory budget is stated");
        double shmGib = 0;
        for (JsonNode volume : spec.path("volumes")) {
            if (volume.path("emptyDir").path("medium").asString().equals("Memory")) {
                shmGib += gibibytes(volume.path("emptyDir").path("sizeLimit").asString());
            }
        }
        assertTrue(shmGib > 0, "the memory-backed /dev/shm states its sizeLimit (it counts against the limit)");
        double limit = gibibytes(spec.path("resources").path("limits").path("memory").asString());
        double needed = sleepTier + shmGib + ENGINES_AT_ONCE * ENGINE_PROCESS_GIB + JVM_GIB;
        assertTrue(limit >= needed, "a memory limit of " + limit + " GiB holds the sleep tier's " + sleepTier + " GiB, /dev/shm's "
                + shmGib + " GiB, " + ENGINES_AT_ONCE + " vLLM processes and the JVM: " + needed + " GiB");
    }

    @Test
    void theModelCacheIsHandedToTheServersUserBeforeItStarts() throws IOException {
        Manifest host = applications().stream().filter(m -> m.name().contains("engine-host")).findFirst().orElseThrow();
        JsonNode storage = host.doc().path("spec").path("statefulSet").path("storage");
        String volume = storage.path("volumeClaimTemplate").path("metadata").path("name").asString();
        assertFalse(volume.isEmpty(), "the cache's claim is named (volumeClaimTemplate), so that an init container can mount it");
        String user = ContainerImagesIT.imageUser(ROOT.resolve("liberty/Containerfile.engine-host")).split(":")[0];
        boolean handed = false;
        for (JsonNode init : host.doc().path("spec").path("initContainers")) {
            pinned(init.path("image").asString(), host + " init container " + init.path("name").asString());
            boolean mounts = false;
            for (JsonNode mount : init.path("volumeMounts")) {
                mounts |= mount.path("name").asString().equals(volume)
                        && mount.path("mountPath").asString().equals(storage.path("mountPath").asString());
            }
            handed |= mounts && init.path("command").toString().contains("chown " + user + ":");
        }
        assertTrue(handed, "an init container chowns " + storage.path("mountPath").asString() + " to the image's user " + user);
    }

    @Test
    void gatewaysStartNoEnginesSoTheirMemoryIsTheJvms() throws IOException {
        Manifest gateway = applications().stream().filter(m -> m.name().contains("gateway")).findFirst().orElseThrow();
        assertEquals("remote", env(gateway, "SWITCHBOARD_LAUNCHER"), gateway + ": a gateway starts no engine processes");
        String image = Files.readString(ROOT.resolve("liberty/Containerfile"));
        assertTrue(image.contains("SWITCHBOARD_LAUNCHER=remote"), "the gateway image starts no engines either");
        assertFalse(image.contains("switchboard-vllm-sim.jar"), "the gateway image holds no simulator to answer real models with");
        double limit = gibibytes(gateway.doc().path("spec").path("resources").path("limits").path("memory").asString());
        assertTrue(limit >= JVM_GIB, gateway + ": " + limit + " GiB holds the JVM's " + JVM_GIB);
    }

    @Test
    void everyServerThatAdmitsRequestsCountsAllOfThemForItsQuotaShare() {
        int servers = applications().stream().mapToInt(app -> app.doc().path("spec").path("replicas").asInt(1)).sum();
        for (Manifest app : applications()) {
            assertEquals(String.valueOf(servers), env(app, "SWITCHBOARD_QUOTAS_REPLICAS"), app
                    + ": while PostgreSQL is away each server admits 1/SWITCHBOARD_QUOTAS_REPLICAS of a quota, so it is"
                    + " the sum of every app's replicas");
        }
    }

    static String env(Manifest app, String name) {
        for (JsonNode variable : app.doc().path("spec").path("env")) {
            if (variable.path("name").asString().equals(name)) return variable.path("value").asString();
        }
        return null;
    }

    @Test
    void noCredentialsAndOnlyPinnedImages() throws IOException {
        for (Manifest manifest : manifests) {
            assertFalse(manifest.kind().equals("Secret"), manifest + ": credentials do not belong in the repository");
            for (JsonNode variable : manifest.doc().path("spec").path("env")) {
                String name = variable.path("name").asString();
                assertFalse(name.matches(".*(PASSWORD|TOKEN|SECRET).*") && variable.has("value"), manifest + ": " + name + " in plain text");
            }
        }
        Matcher version = Pattern.compile("<artifactId>switchboard</artifactId>\\s*<version>([^<-]+)").matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(version.find(), "the pom's version");
        for (Manifest app : applications()) {
            String image = app.doc().path("spec").path("applicationImage").asString();
            pinned(image, app.toString());
            // the tag README's build line gives the image: the project's version (./switchboard package prints it)
            assertTrue(image.endsWith(":" + version.group(1)), app + ": " + image + " is tagged with the pom's version " + version.group(1));
        }
        for (Path file : ContainerImagesIT.containerfiles()) {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("FROM ")) pinned(line.split("\\s+")[1], file.getFileName().toString());
            }
        }
    }

    static void pinned(String image, String where) {
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        assertTrue(colon > slash, where + ": " + image + " has no tag");
        String tag = image.substring(colon + 1);
        assertFalse(tag.equals("latest") || tag.isBlank(), where + ": " + image + " is not pinned");
    }

    /** A Kubernetes memory quantity in GiB (Gi, Mi, G, M). */
    static double gibibytes(String quantity) {
        Matcher m = Pattern.compile("([0-9.]+)(Gi|Mi|G|M)?").matcher(quantity);
        if (!m.matches()) return 0;
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        return switch (unit) {
            case "Gi" -> value;
            case "Mi" -> value / 1024;
            case "G" -> value * 1e9 / (1L << 30);
            case "M" -> value * 1e6 / (1L << 30);
            default -> value / (1L << 30);
        };
    }
}
