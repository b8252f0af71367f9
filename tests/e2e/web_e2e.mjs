// End-to-end test of the EchoEmotion page in a real browser: starts `fermap serve` on an ephemeral
// loopback port, drives Debian's chromium headless with playwright-core, uploads the bundled demo
// photo, waits for the faces and the playlist, likes a song, asks for more songs, switches to "lift",
// takes a photo with chromium's fake camera, and saves desktop and phone screenshots.
//
//   node tests/e2e/web_e2e.mjs FERMAP_BINARY ARTIFACT_DIR
// Exit 0: passed; 1: failed; 77: skipped (no chromium or playwright-core; scripts/setup.sh installs both).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const sourceDir = resolve(here, "../..");
const demoPhoto = join(sourceDir, "data/demo/faces.png");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const [binary, artifactDir = join(process.cwd(), "artifacts")] = process.argv.slice(2);
const TIMEOUT_MS = 120_000;

function skip(why) {
  console.log(`SKIP: ${why}`);
  process.exit(77);
}

if (!binary || !existsSync(binary)) {
  console.error("usage: node web_e2e.mjs FERMAP_BINARY [ARTIFACT_DIR]");
  process.exit(1);
}
if (!existsSync(chromiumPath)) skip(`${chromiumPath} not found (apt-get install chromium)`);
let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch {
  skip("playwright-core not installed (npm ci --prefix tests/e2e)");
}

const scratch = mkdtempSync(join(tmpdir(), "fermap-e2e-"));
mkdirSync(artifactDir, { recursive: true });
let server = null;
let context = null;

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}

// `fermap serve --port 0` prints the URL it listens on; resolves with it.
function startServer() {
  return new Promise((resolveUrl, reject) => {
    server = spawn(binary, ["serve", "--port", "0", "--db", join(scratch, "history.sqlite")],
                   { cwd: sourceDir, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      const match = output.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[0]);
      }
    };
    server.stdout.on("data", onData);
    server.stderr.on("data", onData);
    server.on("exit", (code) => reject(new Error(`server exited (${code}): ${output}`)));
  });
}

async function uploadAndWait(page) {
  await page.setInputFiles("#file-input", demoPhoto);
  await page.waitForSelector(".face-box", { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelectorAll("#playlist .song").length >= 8, null,
                             { timeout: 30_000 });
}

async function run() {
  const url = await startServer();
  console.log(`server at ${url}`);
  context = await chromium.launchPersistentContext(join(scratch, "profile"), {
    executablePath: chromiumPath,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
    viewport: { width: 1280, height: 900 },
    permissions: ["camera"],
  });
  const problems = [];
  const page = context.pages()[0] || (await context.newPage());
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => { if (message.type() === "error") problems.push(`console: ${message.text()}`); });
  page.on("response", (response) => { if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`); });

  await page.goto(url);
  check((await page.title()).includes("EchoEmotion"), "the page is EchoEmotion");
  await page.waitForSelector("#health.ok", { timeout: 10_000 });

  await uploadAndWait(page);
  const faces = await page.locator(".face-box").count();
  check(faces === 6, `the demo photo shows 6 boxed faces (got ${faces})`);
  const labels = await page.locator(".face-label").allTextContents();
  check(labels.every((t) => /^(angry|happy|neutral|sad) \d+%$/.test(t)), `every face is labelled: ${labels.join(", ")}`);
  const emotion = await page.textContent("#emotion-name");
  check(["angry", "happy", "neutral", "sad"].includes(emotion), `the photo's emotion is shown (${emotion})`);
  check((await page.locator("#probabilities .bar").count()) === 4, "four probability bars");

  const songs = page.locator("#playlist .song");
  check((await songs.count()) === 8, "a playlist of 8 songs");
  const links = await page.locator("#playlist .song-title").evaluateAll((as) => as.map((a) => a.href));
  check(links.every((l) => l.startsWith("https://open.spotify.com/track/")), "every song links to Spotify");

  const first = songs.first();
  await first.locator("button.like").click();
  await page.waitForSelector("#playlist .song.liked", { timeout: 10_000 });
  check((await first.locator("button.like").getAttribute("aria-pressed")) === "true", "the liked song shows it");
  const health = await page.evaluate(() => fetch("/api/health").then((r) => r.json()));
  check(health.history.liked === 1, "the server stored the like");

  await page.click("#more-button");
  await page.waitForFunction(() => document.querySelectorAll("#playlist .song").length === 16, null, { timeout: 15_000 });
  const uris = await page.locator("#playlist .song").evaluateAll((rows) => rows.map((r) => r.dataset.uri));
  check(new Set(uris).size === 16, "more songs adds 8 new ones, no repeats");

  await page.click('label[for="mode-lift"]');
  await page.waitForFunction(() => document.querySelectorAll("#playlist .song").length === 8 &&
                             document.querySelector("#playlist-note").textContent.startsWith("Lifting"),
                             null, { timeout: 15_000 });
  check(true, "the lift switch reloads the playlist");
  await page.click('label[for="mode-match"]');
  await page.waitForFunction(() => document.querySelector("#playlist-note").textContent.startsWith("Matching") &&
                             document.querySelectorAll("#playlist .song").length === 8, null, { timeout: 15_000 });
  await page.locator("#playlist .song").first().locator("button.like").click();
  await page.waitForSelector("#playlist .song.liked", { timeout: 10_000 });
  await page.screenshot({ path: join(artifactDir, "web_desktop.png"), fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.waitForTimeout(400);  // let the colour transitions finish
  await page.screenshot({ path: join(artifactDir, "web_desktop_dark.png"), fullPage: true });
  await page.emulateMedia({ colorScheme: "light" });
  console.log(`screenshots ${join(artifactDir, "web_desktop.png")}, web_desktop_dark.png`);

  // A short window shrinks the photo by its height: the boxes must still sit on the faces.
  await page.setViewportSize({ width: 1280, height: 480 });
  const shown = await page.evaluate(() => {
    const img = document.querySelector("#photo");
    const frame = img.getBoundingClientRect();
    const scale = frame.width / img.naturalWidth;
    const boxes = [...document.querySelectorAll(".face-box")].map((b) => b.getBoundingClientRect())
      .map((b) => ({ x: (b.left - frame.left) / scale, y: (b.top - frame.top) / scale, w: b.width / scale }));
    return { scale, boxes };
  });
  const response = await fetch(`${url}api/analyze`, { method: "POST", body: readFileSync(demoPhoto) });
  const { faces: truth } = await response.json();
  const off = Math.max(...truth.map((f, i) => Math.max(Math.abs(shown.boxes[i].x - f.box.x),
                                                       Math.abs(shown.boxes[i].y - f.box.y),
                                                       Math.abs(shown.boxes[i].w - f.box.w))));
  check(shown.scale < 0.99 && off < 3,
        `boxes sit on the faces of a shrunken photo (scale ${shown.scale.toFixed(2)}, off by ${off.toFixed(1)} px)`);

  // A phone-sized window: the same flow must fit one column.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await page.waitForSelector("#health.ok", { timeout: 10_000 });
  await uploadAndWait(page);
  await page.screenshot({ path: join(artifactDir, "web_phone.png"), fullPage: true });
  console.log(`screenshot ${join(artifactDir, "web_phone.png")}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `nothing overflows a phone's width (overflow ${overflow}px)`);

  // The camera path, with chromium's fake camera (a test pattern, no face in it).
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.click("#camera-button");
  await page.waitForFunction(() => document.querySelector("#camera").videoWidth > 0, null, { timeout: 15_000 });
  await page.click("#capture-button");
  await page.waitForFunction(() => /face/i.test(document.querySelector("#message").textContent) &&
                             document.querySelector("#busy").hidden, null, { timeout: 30_000 });
  check(await page.locator("#camera").isHidden(), "a camera photo is taken and analysed");

  check(problems.length === 0, `no errors in the page${problems.length ? ": " + problems.join("; ") : ""}`);
}

const watchdog = setTimeout(() => {
  console.error(`FAIL: timed out after ${TIMEOUT_MS / 1000} s`);
  server?.kill("SIGKILL");
  process.exit(1);
}, TIMEOUT_MS);

let failed = false;
try {
  await run();
  console.log("PASS");
} catch (error) {
  failed = true;
  console.error(`FAIL: ${error.stack || error.message}`);
} finally {
  await context?.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.removeAllListeners("exit");
    server.kill("SIGTERM");
    await new Promise((done) => { server.once("exit", done); setTimeout(done, 5_000); });
  }
  rmSync(scratch, { recursive: true, force: true });
  clearTimeout(watchdog);
}
process.exit(failed ? 1 : 0);
