// Drives the --ec2 console in headless Chromium (the distribution's /usr/bin/chromium, through
// playwright-core), as a user would, and prints one JSON object of what it saw; the Rust test
// (tests/serve/console.rs) asserts on it.
//
// usage: node console.mjs ENDPOINT_URL SEED PYTHON EMULATOR [SCREENSHOT]
//   ENDPOINT_URL  the --ec2 endpoint (http://127.0.0.1:PORT/), serving the profile 'admin'
//   SEED          the MFA device's seed; `PYTHON EMULATOR totp SEED` prints its current code
//   SCREENSHOT    where to save a picture of the page after the switch (optional)
//
// Steps: the page shows 'admin'; clicking 'mfa-admin' asks for a code; a wrong code shows the
// error and 'admin' stays; the right code (typed, then Enter) switches and shows the new expiry.
// Then a page from another origin (a server of this script's own, on another port) tries to
// switch the profile: with no token, with a made-up one, and as a simple form-like POST.

import { launch } from "./launch.mjs";
import { execFileSync } from "node:child_process";
import http from "node:http";

const [endpoint, seed, python, emulator, screenshot] = process.argv.slice(2);
const result = { steps: [] };
const note = (name, value) => result.steps.push({ name, value });
const code = () => execFileSync(python, [emulator, "totp", seed]).toString().trim();

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 560, height: 720 } });
  await page.goto(endpoint);
  await page.waitForFunction(() => document.querySelector("#current").textContent !== "…");
  note("initial", await page.textContent("#current"));
  note("profiles", await page.$$eval("#profiles button", (bs) => bs.map((b) => b.dataset.profile)));

  await page.click('#profiles button[data-profile="mfa-admin"]');
  await page.waitForSelector("#mfa-form:not([hidden])");
  note("asks for a code", await page.isVisible("#mfa-code"));

  await page.fill("#mfa-code", code() === "000000" ? "111111" : "000000");
  await page.press("#mfa-code", "Enter");
  await page.waitForFunction(() => document.querySelector("#message").className === "error");
  note("wrong code message", await page.textContent("#message"));
  note("after a wrong code", await page.textContent("#current"));

  await page.fill("#mfa-code", code());
  await page.press("#mfa-code", "Enter");
  await page.waitForFunction(() => document.querySelector("#current").textContent === "mfa-admin");
  note("after the right code", await page.textContent("#current"));
  note("expiry", await page.textContent("#expiry"));
  note("form hidden", await page.isHidden("#mfa-form"));
  if (screenshot) await page.screenshot({ path: screenshot });

  // Another origin: a page of ours on another port, whose script tries to switch to 'admin'.
  const foreign = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(`<!doctype html><script>
      const target = ${JSON.stringify(endpoint)};
      const body = JSON.stringify({ profile: "admin" });
      window.results = Promise.all([
        fetch(target + "profile", { method: "POST", body, headers: { "Content-Type": "text/plain" } })
          .then((r) => "answered " + r.status, (e) => "blocked: " + e.message),
        fetch(target + "profile", { method: "POST", body, mode: "no-cors" })
          .then((r) => "opaque " + r.type, (e) => "blocked: " + e.message),
        fetch(target + "profile", { method: "POST", body, headers: { "X-Aws-Runas-Token": "guess" } })
          .then((r) => "answered " + r.status, (e) => "blocked: " + e.message),
        fetch(target + "profiles").then((r) => r.text()).then((t) => "read " + t, (e) => "blocked: " + e.message),
      ]);
    </script>`);
  });
  await new Promise((ok) => foreign.listen(0, "127.0.0.1", ok));
  const other = await browser.newPage();
  await other.goto(`http://127.0.0.1:${foreign.address().port}/`);
  note("foreign page", await other.evaluate(() => window.results));
  foreign.close();
  await page.reload();
  await page.waitForFunction(() => document.querySelector("#current").textContent !== "…");
  note("after the foreign page", await page.textContent("#current"));
} catch (error) {
  result.error = String(error.stack || error);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
