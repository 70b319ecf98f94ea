package dev.edgewire.local.dashboard;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, through Debian's chromedriver, with a fresh profile and nothing that
 * reaches the network by itself. The paths are explicit, so Selenium Manager never downloads a
 * browser or a driver; {@code -Dedgewire.chromium=...} and {@code -Dedgewire.chromedriver=...}
 * point elsewhere.
 */
public final class HeadlessChromium {

    public static final Path BROWSER = Path.of(System.getProperty("edgewire.chromium", "/usr/bin/chromium"));
    public static final Path DRIVER = Path.of(System.getProperty("edgewire.chromedriver", "/usr/bin/chromedriver"));

    private HeadlessChromium() {
    }

    /** Whether the browser and its driver are installed (apt-get install chromium chromium-driver). */
    public static boolean installed() {
        return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
    }

    /** Starts a browser with a new profile under {@code profile}; {@code extraFlags} add to the usual ones. */
    public static ChromeDriver start(Path profile, String... extraFlags) throws IOException {
        // Belt and braces: Selenium Manager stays off even if something asks it.
        System.setProperty("SE_OFFLINE", "true");
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, DRIVER.toString());
        Files.createDirectories(profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER.toString()))
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(30))
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments(List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--disable-extensions",
                "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1280,1100"));
        options.addArguments(extraFlags);
        return new ChromeDriver(service, options);
    }
}
