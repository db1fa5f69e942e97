// Signs in at the sign-in stand-in (tests/emulator/login_standin.py) in headless Chromium (the
// distribution's /usr/bin/chromium, through playwright-core), as a person would: opens the
// authorize URL aws-runas --login printed or opened, clicks "Allow" (or "Deny" when
// SIGNIN_BROWSER_ACTION=deny), and follows the redirect: to aws-runas's loopback callback (the
// same-device flow) or to the confirmation page, whose code it reads (the cross-device flow,
// --remote). Used as the BROWSER of the login tests (tests/login_flow/), so aws-runas opens it
// itself, or run by a test on a URL the run printed.
//
// usage: node signin_login.mjs AUTHORIZE_URL [REPORT]
//   prints one JSON object of what it saw, and writes it to REPORT when given (whole, then
//   renamed: a test waits for the file to appear):
//   {"allow": the button was there, "landed": the redirect's URL without its query, "status": its
//    HTTP status, "text": the page's text, "code"/"state"/"error": the redirect's query,
//    "verification_code": the confirmation page's code (cross-device), "error_js": what failed}

import { launch } from "./launch.mjs";
import { renameSync, writeFileSync } from "node:fs";

const [url, report] = process.argv.slice(2);
const button = process.env.SIGNIN_BROWSER_ACTION === "deny" ? "#deny" : "#allow";
const landing = /\/oauth\/callback\?|\/v1\/sessions\/confirmation\?/;
const result = {};
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(url);
  result.allow = await page.isVisible("#allow");
  const [response] = await Promise.all([
    page.waitForResponse((r) => landing.test(r.url()), { timeout: 20000 }),
    page.click(button),
  ]);
  const landed = new URL(response.url());
  result.landed = landed.origin + landed.pathname;
  result.status = response.status();
  for (const key of ["code", "state", "error"]) {
    if (landed.searchParams.has(key)) result[key] = landed.searchParams.get(key);
  }
  await page.waitForLoadState("domcontentloaded");
  result.text = await page.textContent("body").catch((e) => `(unread: ${e.message})`);
  if (landed.pathname === "/v1/sessions/confirmation") {
    result.verification_code = await page.textContent("#verification-code");
  }
} catch (e) {
  result.error_js = String(e);
} finally {
  await browser.close();
}
const text = JSON.stringify(result);
console.log(text);
if (report) {
  writeFileSync(`${report}.tmp`, text);
  renameSync(`${report}.tmp`, report);
}
