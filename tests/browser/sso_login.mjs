// Logs in to the IAM Identity Center stand-in (tests/emulator/sso_standin.py) in headless
// Chromium (the distribution's /usr/bin/chromium, through playwright-core), as a user would:
// opens the authorize URL aws-runas printed, clicks "Allow", follows the redirect to aws-runas's
// loopback callback, and prints one JSON object of what it saw. Used as the BROWSER of the
// login test (tests/sso/login.rs), so aws-runas opens it itself.
//
// usage: node sso_login.mjs AUTHORIZE_URL

import { launch } from "./launch.mjs";

const [url] = process.argv.slice(2);
const result = {};
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(url);
  result.allow = await page.isVisible("#allow");
  await Promise.all([page.waitForURL(/\/oauth\/callback\?/), page.click("#allow")]);
  result.callback = page.url().split("?")[0];
  result.text = await page.textContent("body");
} catch (e) {
  result.error = String(e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
