package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web console in Debian's headless Chromium, through its main pages, with a screenshot of each in
 * {@code target/console-screenshots/}: the cluster, topics (and creating one), a topic (and producing a test
 * record), the message browser (text, JSON, hex), consumer groups and their lag, and the dead-letter topics with
 * a replay whose records a Kafka client then finds in the source topic. Skipped where Chromium or ChromeDriver
 * is not installed ({@code .ci/run} installs both).
 */
class ConsoleBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    @TempDir
    Path dir;
    @TempDir
    Path profile;
    private TestBroker broker;
    private WebDriver browser;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver");
        broker = TestBroker.start(dir);
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theMainPagesShowTheClusterAndAct() throws Exception {
        String clusterId = broker.admin().describeCluster().clusterId().get();
        broker.createTopic("orders", 3, Map.of());
        KafkaProducer<String, String> producer = broker.producer();
        for (int i = 0; i < 30; i++) {
            producer.send(new ProducerRecord<>("orders", i % 3, "user-" + i, "{\"amount\": " + i + "}")).get();
        }
        KafkaConsumer<String, String> consumer = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "billing"));
        consumer.commitSync(Map.of(new TopicPartition("orders", 0), new OffsetAndMetadata(4)));
        broker.createTopic("dlq.workers", 1, Map.of("errors.deadletterqueue.group.enable", "true"));
        for (int i = 0; i < 2; i++) {
            ProducerRecord<String, String> dead = new ProducerRecord<>("dlq.workers", 0, "user-dead-" + i, "poison-" + i);
            dead.headers().add(new RecordHeader("__dlq.errors.topic", "orders".getBytes(StandardCharsets.UTF_8)));
            dead.headers().add(new RecordHeader("__dlq.errors.partition", "1".getBytes(StandardCharsets.UTF_8)));
            dead.headers().add(new RecordHeader("__dlq.errors.offset", String.valueOf(i).getBytes(StandardCharsets.UTF_8)));
            dead.headers().add(new RecordHeader("__dlq.errors.group", "workers".getBytes(StandardCharsets.UTF_8)));
            producer.send(dead).get();
        }

        open("#/");
        assertThat(text("main")).contains(clusterId).contains("Brokers").contains("Metadata quorum");
        assertThat(browser.findElements(By.cssSelector("main .chart canvas"))).hasSize(2);
        screenshot("cluster");

        open("#/topics");
        assertThat(rows()).anyMatch(r -> r.startsWith("orders 3 1"));
        screenshot("topics");
        browser.findElement(By.name("name")).sendKeys("made-in-console");
        browser.findElement(By.name("partitions")).clear();
        browser.findElement(By.name("partitions")).sendKeys("2");
        browser.findElement(By.cssSelector("form button")).click();
        awaitLoaded("/topics/made-in-console");
        assertThat(broker.admin().describeTopics(List.of("made-in-console")).allTopicNames().get()
                .get("made-in-console").partitions()).hasSize(2);

        open("#/topics/orders");
        assertThat(rows()).filteredOn(r -> r.matches("^[0-2] 1 1 1 [0-9.]+ (B|KiB).*")).hasSize(3);
        browser.findElement(By.name("partition")).sendKeys("2");
        browser.findElement(By.name("key")).sendKeys("console-key");
        browser.findElement(By.name("value")).sendKeys("from the console");
        browser.findElement(By.cssSelector("form button")).click();
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> text("main").contains("Produced to partition"));
        assertThat(text("main")).contains("Produced to partition 2 at offset 10");
        screenshot("topic");

        open("#/browse?topic=orders&partition=2&offset=10&format=text");
        assertThat(text("main table")).contains("console-key").contains("from the console");
        open("#/browse?topic=orders&partition=0&offset=0&format=json");
        assertThat(text("main table")).contains("\"amount\": 0");
        screenshot("messages");
        open("#/browse?topic=orders&partition=2&offset=10&format=hex");
        assertThat(text("main table")).contains("66 72 6f 6d 20 74 68 65"); // "from the"

        open("#/groups");
        assertThat(rows()).anyMatch(r -> r.startsWith("billing EMPTY CLASSIC 6 "));
        screenshot("groups");
        open("#/groups/billing");
        assertThat(rows()).anyMatch(r -> r.startsWith("orders 0 4 10 6"));
        assertThat(browser.findElements(By.cssSelector("main .chart canvas"))).hasSize(1);
        screenshot("group");

        TopicPartition source = new TopicPartition("orders", 1); // the __dlq.errors.partition of both
        long before = endOffset(source);
        open("#/dlq");
        assertThat(rows()).anyMatch(r -> r.startsWith("dlq.workers 2 2"));
        browser.findElement(By.cssSelector("button[data-replay='dlq.workers']")).click();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> text("main").contains("Replayed"));
        assertThat(text("main")).contains("Replayed 2 records from dlq.workers");
        screenshot("dead-letters");
        assertThat(endOffset(source) - before).as("both replayed into their source partition").isEqualTo(2);
        assertThat(broker.admin().listConsumerGroupOffsets("herald-dlq-replay").partitionsToOffsetAndMetadata().get())
                .containsEntry(new TopicPartition("dlq.workers", 0), new OffsetAndMetadata(2));
        open("#/dlq");
        assertThat(rows()).as("a second replay has nothing left").anyMatch(r -> r.startsWith("dlq.workers 2 0"));
    }

    private long endOffset(TopicPartition tp) throws Exception {
        return broker.admin().listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
    }

    /** Loads the console afresh on a page (a hash change alone would keep the page loaded before). */
    private void open(String hash) {
        browser.get("about:blank");
        browser.get(broker.httpUrl() + "/" + hash);
        awaitLoaded(hash.substring(1));
    }

    /** The console marks {@code main} with the route it finished rendering. */
    private void awaitLoaded(String route) {
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            String loaded = browser.findElement(By.id("main")).getDomAttribute("data-loaded");
            return route.equals(loaded) || (route.isEmpty() || route.equals("/")) && "/".equals(loaded);
        });
        assertThat(text("main")).doesNotStartWith("Error");
    }

    private String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }

    private List<String> rows() {
        return browser.findElements(By.cssSelector("main tbody tr")).stream().map(WebElement::getText)
                .map(t -> t.replace('\n', ' ').replaceAll("\\s+", " ").trim()).toList();
    }

    private void screenshot(String name) throws Exception {
        Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
