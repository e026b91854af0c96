import { strict as assert } from "node:assert";
import { Browser, chromium, ConsoleMessage } from "playwright-core";
import { findBrowser } from "./support/browser";
import { Child, spawnService } from "./support/servers";
import { LocalStore, startDynalite } from "./support/store";

// The flags keep the browser off the (closed) network.
const ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/** The one DOM function the page callback uses; the project compiles without DOM types. */
interface BrowserGlobals {
    getComputedStyle(el: unknown): { backgroundColor: string };
}

describe("frontend in a real browser", function () {
    this.timeout(60_000);
    let browser: Browser;
    let backend: Child;
    let frontend: Child;
    let store: LocalStore;

    before(async () => {
        store = await startDynalite();
        await store.createTable("browser-test-data");
        const table = { TABLE_NAME: "browser-test-data", DYNAMODB_ENDPOINT: store.endpoint };
        backend = await spawnService("backend", { REGION: "eu-west-1", DRAIN_MS: "0", ...table });
        frontend = await spawnService("frontend", { REGION: "eu-west-1", DRAIN_MS: "0", BACKEND_URL: backend.url });
        browser = await chromium.launch({ executablePath: findBrowser(), args: ARGS, headless: true });
    });

    after(async () => {
        await browser?.close();
        frontend?.process.kill("SIGTERM");
        backend?.process.kill("SIGTERM");
        await backend?.exited;
        await store?.close();
    });

    it("shows the backend's greeting, the serving region and the visit count, with no console errors", async () => {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on("console", (msg: ConsoleMessage) => {
            if (msg.type() === "error" || msg.type() === "warning") problems.push(`${msg.type()}: ${msg.text()}`);
        });
        page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
        page.on("requestfailed", (req) => problems.push(`requestfailed: ${req.url()}`));

        const response = await page.goto(frontend.url, { waitUntil: "load" });
        assert.equal(response?.status(), 200);
        assert.equal(await page.locator("h1").innerText(), "Hello from backend microservice");
        assert.equal(await page.locator("#frontend-region").innerText(), "eu-west-1");
        assert.equal(await page.locator("#backend-region").innerText(), "eu-west-1");
        assert.equal(await page.locator("#visits").innerText(), "1", "the first visit, counted in the table");
        assert.equal(await page.title(), "Sample app");
        // The stylesheet applied: the CSP allows exactly our inline style.
        const background = await page
            .locator("main")
            .evaluate((el) => (globalThis as unknown as BrowserGlobals).getComputedStyle(el).backgroundColor);
        assert.equal(background, "rgb(255, 255, 255)");
        assert.deepEqual(problems, []);
        await page.close();
    });

    it("shows the 503 page, still without console errors beyond the 503 itself, when the backend is gone", async () => {
        backend.process.kill("SIGTERM");
        assert.equal(await backend.exited, 0);
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on("console", (msg: ConsoleMessage) => {
            if (msg.type() === "error" && !/status of 503/.test(msg.text())) problems.push(msg.text());
        });
        const response = await page.goto(frontend.url, { waitUntil: "load" });
        assert.equal(response?.status(), 503);
        assert.equal(await page.locator("h1").innerText(), "Service temporarily unavailable");
        assert.deepEqual(problems, []);
        await page.close();
    });
});

describe("finding the browser", () => {
    const only =
        (...files: string[]) =>
        (file: string) =>
            files.includes(file);

    it("takes CHROME_PATH, then the runner's CHROME_BIN, then Debian's and Ubuntu's paths", () => {
        const all = only("/opt/chrome", "/usr/bin/google-chrome", "/usr/bin/chromium");
        assert.equal(findBrowser({ CHROME_PATH: "/opt/chrome", CHROME_BIN: "/usr/bin/google-chrome" }, all), "/opt/chrome");
        assert.equal(findBrowser({ CHROME_BIN: "/usr/bin/google-chrome" }, all), "/usr/bin/google-chrome");
        assert.equal(findBrowser({}, all), "/usr/bin/chromium");
        assert.equal(findBrowser({}, only("/usr/bin/google-chrome-stable")), "/usr/bin/google-chrome-stable");
    });

    it("says in one line what it tried and how to get a browser, or which variable is wrong", () => {
        assert.throws(
            () => findBrowser({}, only()),
            /^Error: no Chromium or Chrome found \(tried \/usr\/bin\/chromium, .*\): install one \(Debian: sudo apt-get install -y chromium\) or set CHROME_PATH$/,
        );
        assert.throws(
            () => findBrowser({ CHROME_PATH: "/nope" }, only("/usr/bin/chromium")),
            /^Error: CHROME_PATH=\/nope is not an executable file/,
        );
    });
});
