// Drives a code-server window through Playwright (playwright-core, Debian's chromium) as a user
// would: starts the named launch configuration of the open folder with an interpreter that cannot
// run the server and follows the error's settings button, writes WORKING_SETTINGS into the Remote
// (Machine) settings file, starts the configuration again, waits for the stop, expands Locals,
// evaluates an expression in the Debug Console, and prints what the window shows as one JSON
// object on stdout. Screenshots of each step go to the folder given. It asserts nothing: the
// Python test (tests/test_vscode_code_server.py) holds the expectations.
//
// Usage: node code_server_ui.js URL SCREENSHOT_DIR CONFIGURATION_NAME EXPRESSION MACHINE_SETTINGS_FILE WORKING_SETTINGS
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const STEP_TIMEOUT_MS = 60000;
const START_ATTEMPT_MS = 15000;
const START_ATTEMPTS = 6;
const [url, shots, configuration, expression, machineSettings, workingSettings] = process.argv.slice(2);

async function text(page, selector) {
  const found = page.locator(selector).first();
  return (await found.count()) === 0 ? '' : found.innerText();
}

async function rows(page, selector) {
  return page.locator(`${selector} .monaco-list-row`).evaluateAll((elements) =>
    elements.map((e) => ({
      text: e.innerText,
      selected: e.classList.contains('selected'),
      focused: e.classList.contains('focused'),
    })));
}

async function shoot(page, name, seen) {
  const file = path.join(shots, `${String(seen.screenshots.length + 1).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  seen.screenshots.push(file);
}

/** Starts the launch configuration from the quick open ("debug NAME"); resolves once `until` shows. */
async function startDebugging(page, until) {
  // The command does nothing while the extension host is still starting: try again.
  for (let attempt = 1; ; attempt++) {
    await page.locator('.part.editor').click();
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill(`debug ${configuration}`);
    try {
      await page.locator('.quick-input-list .monaco-list-row', { hasText: configuration }).first()
        .click({ timeout: START_ATTEMPT_MS });
      await page.waitForSelector(until, { timeout: START_ATTEMPT_MS });
      return;
    } catch (error) {
      if (attempt === START_ATTEMPTS) {
        throw error;
      }
      await page.keyboard.press('Escape');
    }
  }
}

/** With an interpreter that cannot run the server: the message, and where its button leads. */
async function missingServer(page, seen) {
  const toast = '.notification-toast';
  await startDebugging(page, `${toast}:has-text("cannot run the godap debug adapter")`);
  const notice = page.locator(toast, { hasText: 'cannot run the godap debug adapter' }).first();
  seen.missingServer = await notice.innerText();
  await shoot(page, 'missing-server', seen);
  await notice.locator('.monaco-button', { hasText: /settings/ }).first().click();
  await page.waitForSelector('.settings-editor', { timeout: STEP_TIMEOUT_MS });
  await page.waitForTimeout(1500);
  seen.settingsTab = await text(page, '.settings-editor .settings-target-container .action-label.checked');
  seen.settingsSearch = await page.locator('.settings-editor .suggest-input-container .view-lines').first().innerText();
  await shoot(page, 'settings', seen);
  fs.writeFileSync(machineSettings, workingSettings);
  await page.keyboard.press('Escape');
  await page.waitForTimeout(2000); // VS Code reads the changed settings file
}

async function run(page, seen) {
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench .part.editor', { timeout: STEP_TIMEOUT_MS });
  await page.waitForTimeout(3000); // the extension host starts after the workbench
  await shoot(page, 'opened', seen);
  await missingServer(page, seen);
  await startDebugging(page, '.debug-toolbar');

  await page.waitForSelector('.exception-widget', { timeout: STEP_TIMEOUT_MS });
  await page.waitForSelector('.debug-call-stack .monaco-list-row .stack-frame', { timeout: STEP_TIMEOUT_MS });
  await page.waitForTimeout(1500); // the threads list fills in after the first stack
  // The Watch view is not used: collapsed, it leaves the Call Stack room for every goroutine.
  await page.locator('.pane-header', { hasText: /^Watch/ }).click();
  await page.waitForTimeout(1000);
  seen.exceptionWidget = await text(page, '.exception-widget');
  seen.callStack = await rows(page, '.debug-call-stack');
  seen.activeTab = await text(page, '.tabs-container .tab.active');
  seen.cursor = await text(page, '.statusbar-item[id="status.editor.selection"]');
  seen.debugViewVisible = await page.locator('.debug-viewlet').isVisible();
  await shoot(page, 'stopped', seen);

  const locals = page.locator('.debug-variables .monaco-list-row', { hasText: /^Locals$/ });
  await locals.click();
  await page.waitForTimeout(1500);
  seen.variables = await rows(page, '.debug-variables');
  await shoot(page, 'variables', seen);

  await page.locator('.repl-input-wrapper').click();
  await page.keyboard.type(expression);
  await page.keyboard.press('Enter');
  await page.locator('.repl .monaco-list-row', { hasText: expression }).first()
    .waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.waitForTimeout(1500);
  seen.console = await rows(page, '.repl');
  await shoot(page, 'console', seen);
}

(async () => {
  const seen = { screenshots: [] };
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1600, height: 2000 } });
  try {
    await run(page, seen);
  } catch (error) {
    seen.error = String(error && error.stack ? error.stack : error);
    await shoot(page, 'failed', seen).catch(() => undefined);
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(seen) + '\n');
})();
