package io.egressguard.deploy;

import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image the Jib build makes (only when asked) is the one the chart and the rendered manifests run, at the
 * version the chart, the krew manifest and the build agree on, and the release workflow publishes that.
 * The image build itself needs a registry and cannot run in this test.
 */
class ContainerImageTest {

    static String read(String path) throws Exception {
        return Files.readString(Path.of(path));
    }

    static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        assertTrue(m.find(), "no match for " + regex);
        return m.group(1);
    }

    @Test
    void jibNamesTheImageOfTheChartAndBuildsOnlyWhenAsked() throws Exception {
        Properties p = new Properties();
        p.load(new StringReader(read("src/main/resources/application.properties")));
        assertEquals("false", p.getProperty("quarkus.container-image.build"), "package and verify must not build an image");
        assertEquals("false", p.getProperty("quarkus.container-image.push"), "package and verify must not push an image");
        String image = p.getProperty("quarkus.container-image.registry") + "/" + p.getProperty("quarkus.container-image.group")
                + "/" + p.getProperty("quarkus.container-image.name");
        assertTrue(read("pom.xml").contains("<artifactId>quarkus-container-image-jib</artifactId>"));

        String values = read("deploy/helm/egress-guard/values.yaml");
        assertEquals(image, group(values, "^image:\\n  repository: (\\S+)$"));
        String appVersion = group(read("deploy/helm/egress-guard/Chart.yaml"), "^appVersion: \"?([^\"\\s]+)\"?$");
        assertEquals(image + ":" + appVersion, group(read("deploy/manifests/egress-guard.yaml"), "^\\s+image: \"?([^\"\\s]+)\"?$"));

        String projectVersion = group(read("pom.xml"), "<artifactId>egress-guard</artifactId>\\s*<version>([^<]+)</version>");
        assertEquals(appVersion, projectVersion.replace("-SNAPSHOT", ""), "the build's version and the chart's appVersion");
        assertEquals(appVersion, group(read("deploy/krew/egress-guard.yaml"), "^  version: v(\\S+)$"));
        assertEquals("registry.access.redhat.com/ubi9/openjdk-17-runtime:1.21",
                p.getProperty("quarkus.jib.base-jvm-image"));
        assertTrue(read("src/main/docker/Dockerfile.jvm").contains("FROM " + p.getProperty("quarkus.jib.base-jvm-image")),
                "Jib and Dockerfile.jvm start from the same base image");
    }

    /**
     * The JVM options of the images are those of the benchmarks (bench/jvm-options.sh): the collector and the
     * compiler thresholds, in every image, in the chart's default and in the launcher, and the JVM accepts them
     * (it refuses to start on a misspelt -XX option).
     */
    @Test
    void everyImageTheChartTheLauncherAndTheBenchmarksRunTheSameJvmOptions() throws Exception {
        String bench = group(read("bench/jvm-options.sh"), "^IMAGE_JVM_OPTIONS=\"([^\"]+)\"$");
        assertTrue(bench.startsWith("-XX:+UseSerialGC -XX:Tier4"), bench);
        String thresholds = bench.substring("-XX:+UseSerialGC ".length());
        Properties p = new Properties();
        p.load(new StringReader(read("src/main/resources/application.properties")));
        assertEquals("-XX:+UseSerialGC", p.getProperty("quarkus.jib.environment-variables.\"GC_CONTAINER_OPTIONS\""));
        assertEquals("-XX:MaxRAMPercentage=75 " + thresholds, p.getProperty("quarkus.jib.environment-variables.\"JAVA_OPTS_APPEND\""));
        String dockerfile = read("src/main/docker/Dockerfile.jvm");
        assertEquals("-XX:+UseSerialGC", group(dockerfile, "^ENV GC_CONTAINER_OPTIONS=\"([^\"]+)\"$"));
        assertEquals("-XX:MaxRAMPercentage=75 " + thresholds, group(dockerfile, "^ENV JAVA_OPTS_APPEND=\"([^\"]+)\"$"));
        String entrypoint = group(read("src/main/docker/Dockerfile.jvm-aot"), "^ENTRYPOINT \\[([^]]+)]")
                .replaceAll("[\"\\\\,\\s]+", " ").trim();
        assertEquals("java " + bench + " -XX:AOTCache=app.aot -XX:MaxRAMPercentage=75 -jar quarkus-run.jar", entrypoint);
        assertTrue(group(read("deploy/helm/egress-guard/values.yaml"), "^jvmOptions: \"([^\"]+)\"$").endsWith(" " + thresholds));
        assertEquals(thresholds, group(read("bin/egress-guard"), "^jit=\"([^\"]+)\"$"));

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(bench.split(" ")));
        command.add("-version");
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes());
        assertEquals(0, java.waitFor(), output);
    }

    @Test
    void releaseWorkflowPublishesTheImageAndTheArchiveOfTheTaggedVersion() throws Exception {
        String workflow = read(".github/workflows/release.yml");
        assertTrue(workflow.contains("tags: [\"v*\"]"), workflow);
        assertTrue(workflow.contains("-Dquarkus.container-image.build=true -Dquarkus.container-image.push=true"), workflow);
        assertTrue(workflow.contains("-Dquarkus.container-image.tag=${{ steps.version.outputs.version }}"), workflow);
        assertTrue(workflow.contains("ci/release-archive.sh ${{ steps.version.outputs.version }}"), workflow);
        assertTrue(workflow.contains("deploy/helm/egress-guard/Chart.yaml") && workflow.contains("deploy/krew/egress-guard.yaml"),
                "the tag is checked against the chart and the krew manifest");
        assertTrue(workflow.contains("run: .ci/run"), "the release runs every test first");
    }
}
