// The console in a real browser (Debian's chromium, headless, driven by playwright-core), against the
// integration-test server. Run by ConsoleIT, which prepares a cold model and a tenant and passes:
//   BASE_URL, ADMIN_TOKEN, MODEL (cold, loads in a few seconds), BROKEN_MODEL (its engine fails at start),
//   TENANT_KEY and TENANT_NAME (a key allowed both),
//   SCREENSHOTS (a folder), CHROMIUM (the browser's path)
// Each step prints "ok <step>"; the first failure prints "FAILED <step>: <why>" and exits 1.
import {chromium} from 'playwright-core';
import assert from 'node:assert/strict';
import {mkdirSync} from 'node:fs';

const {BASE_URL, ADMIN_TOKEN, MODEL, BROKEN_MODEL, TENANT_KEY, TENANT_NAME, SCREENSHOTS} = process.env;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
mkdirSync(SCREENSHOTS, {recursive: true});

const browser = await chromium.launch({executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox',
    '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']});
const context = await browser.newContext({viewport: {width: 1280, height: 900}});
const page = await context.newPage();
page.setDefaultTimeout(15000);
const problems = [];
let expectRefusal = false; // the wrong-token step: the browser logs its 401, as it logs every failed fetch
let expectBadRequest = false; // the bad keyword pattern's 400
page.on('console', message => {
    if (message.type() !== 'error') return;
    if (expectRefusal && message.text().includes('status of 401')) return;
    if (expectBadRequest && message.text().includes('status of 400')) return;
    problems.push(`console: ${message.text()}`);
});
page.on('pageerror', error => problems.push(`page error: ${error.message}`));
// a 401 is the wrong-token step's own answer; anything else failing is a defect
page.on('response', response => {
    if (response.status() >= 400 && !(expectRefusal && response.status() === 401)
        && !(expectBadRequest && response.status() === 400)) problems.push(`${response.status()} ${response.url()}`);
});
page.on('dialog', dialog => dialog.accept()); // the confirmations of revoke, unload, ...

let current = 'start';
async function step(name, body) {
    current = name;
    await body();
    console.log(`ok ${name}`);
}
const shot = name => page.screenshot({path: `${SCREENSHOTS}/${name}.png`, fullPage: true});
const api = (path, init = {}) => fetch(`${BASE_URL}${path}`, {...init,
    headers: {Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json', ...(init.headers || {})}});

try {
    await step('a wrong token is refused', async () => {
        await page.goto(`${BASE_URL}/console/`);
        assert.equal(await page.locator('#nav').isHidden(), true, 'no pages before signing in');
        expectRefusal = true;
        await page.fill('#token', 'not-the-admin-token');
        await page.click('button[type=submit]');
        await page.getByText('That token was refused.').waitFor();
        expectRefusal = false;
        assert.equal(await page.locator('#nav').isHidden(), true, 'still no pages');
        await shot('sign-in');
    });

    await step('sign in', async () => {
        await page.fill('#token', ADMIN_TOKEN);
        await page.click('button[type=submit]');
        await page.locator('h1', {hasText: 'Overview'}).waitFor();
        assert.equal(await page.locator('#nav').isVisible(), true);
    });

    await step('a model goes from LOADING to READY on the overview after a request', async () => {
        const row = page.locator(`tr[data-model="${MODEL}"]`);
        await row.waitFor();
        assert.equal(await row.getAttribute('data-state'), 'COLD');
        const request = fetch(`${BASE_URL}/v1/chat/completions`, {method: 'POST',
            headers: {Authorization: `Bearer ${TENANT_KEY}`, 'Content-Type': 'application/json'},
            body: JSON.stringify({model: MODEL, max_tokens: 3, messages: [{role: 'user', content: 'hi'}]})});
        await page.locator(`tr[data-model="${MODEL}"][data-state="LOADING"]`).waitFor();
        await page.locator('.gpu .bar span.state-LOADING', {hasText: MODEL}).waitFor();
        await shot('overview-loading');
        const answer = await request;
        assert.equal(answer.status, 200, `the request was served: ${await answer.text()}`);
        await page.locator(`tr[data-model="${MODEL}"][data-state="READY"]`).waitFor();
        await page.locator('.gpu .bar span.state-READY', {hasText: MODEL}).waitFor();
        await shot('overview');
    });

    const tenantName = `console-${Date.now()}`;
    let key;
    await step('create a tenant and a key, and see the key once', async () => {
        await page.click('nav a[href="#/tenants"]');
        await page.fill('#tenant-name', tenantName);
        await page.fill('#tenant-rpm_limit', '60');
        await page.getByRole('button', {name: 'Create tenant', exact: true}).click();
        await page.locator(`tr[data-tenant="${tenantName}"]`).waitFor();
        await page.locator('#keys-title', {hasText: tenantName}).waitFor();
        await page.fill('#key-name', 'from-the-console');
        await page.getByRole('button', {name: 'Create key', exact: true}).click();
        key = (await page.locator('#new-key code').textContent()).trim();
        assert.match(key, /^sk-/, 'the key itself is shown');
        const models = await fetch(`${BASE_URL}/v1/models`, {headers: {Authorization: `Bearer ${key}`}});
        assert.equal(models.status, 200, 'the key shown works');
        await page.locator('tr[data-status="active"]').waitFor();
        // the overview step's request, within the last minute, beside the tenant's (absent) rate limit
        assert.equal((await page.locator(`tr[data-tenant="${TENANT_NAME}"] td:nth-child(4)`).textContent()).trim(), '1');
        await shot('tenants');
        await page.click(`tr[data-tenant="${tenantName}"] button`); // the tenant again: the key is not shown again
        await page.locator('#keys-title', {hasText: tenantName}).waitFor();
        assert.equal(await page.locator('#new-key').count(), 0, 'shown once only');
        assert.equal(await page.getByText(key).count(), 0, 'the key is nowhere on the page');
    });

    await step('revoke the key', async () => {
        await page.locator('tr[data-status="active"] button', {hasText: 'Revoke'}).click();
        await page.locator('tr[data-status="revoked"]').waitFor();
        const refused = await fetch(`${BASE_URL}/v1/models`, {headers: {Authorization: `Bearer ${key}`}});
        assert.equal(refused.status, 401, 'a revoked key is refused');
    });

    await step('admin data is shown as text, never run as HTML', async () => {
        const hostile = `<img src=x id=injected onerror="window.__pwned=1">${Date.now()}`;
        assert.equal((await api('/admin/tenants', {method: 'POST', body: JSON.stringify({name: hostile})})).status, 201);
        await page.click('nav a[href="#/overview"]');
        await page.click('nav a[href="#/tenants"]');
        await page.getByText(hostile).first().waitFor();
        assert.equal(await page.locator('#injected').count(), 0, 'no element made of the name');
        assert.equal(await page.evaluate(() => window.__pwned), undefined);
    });

    await step('run an explain', async () => {
        await page.click('nav a[href="#/routing"]');
        await page.locator('#explain-tenant option').first().waitFor({state: 'attached'});
        await page.selectOption('#explain-tenant', {label: tenantName});
        await page.fill('#explain-request', JSON.stringify({model: MODEL, messages: [{role: 'user', content: 'hi'}]}));
        await page.getByRole('button', {name: 'Explain', exact: true}).click();
        assert.equal((await page.locator('#explain-model').textContent()).trim(), MODEL);
        await shot('routing');
    });

    await step('reorder and edit routing rules', async () => {
        const stamp = Date.now();
        const rule = async (name, priority) => (await (await api('/admin/routes', {method: 'POST', body: JSON.stringify({
            name, alias: `console-${stamp}`, priority, target_model: MODEL})})).json()).id;
        const first = await rule(`first-${stamp}`, 5);
        const second = await rule(`second-${stamp}`, 6);
        try {
            await page.click('nav a[href="#/overview"]');
            await page.click('nav a[href="#/routing"]');
            const order = async () => (await page.locator('tr[data-rule]').evaluateAll(rows => rows.map(r => Number(r.dataset.rule))))
                .filter(id => id === first || id === second);
            await page.locator(`tr[data-rule="${second}"]`).waitFor();
            assert.deepEqual(await order(), [first, second]);
            await page.getByRole('button', {name: `Move rule second-${stamp} up`}).click();
            await page.getByText(`rule second-${stamp} moved up.`).waitFor();
            // the notice comes as the changes are saved, the list a moment later, when it has been read again
            const deadline = Date.now() + 10000;
            while (JSON.stringify(await order()) !== JSON.stringify([second, first]) && Date.now() < deadline) {
                await page.waitForTimeout(100);
            }
            assert.deepEqual(await order(), [second, first], 'the list shows the new order');
            const listed = await (await api('/admin/routes')).json();
            const priority = id => listed.data.find(r => r.id === id).priority;
            assert.ok(priority(second) < priority(first), 'and the rules were changed');
            await page.getByRole('button', {name: `Edit rule first-${stamp}`}).click();
            await page.fill('#rule-keyword_pattern', '(unclosed');
            expectBadRequest = true;
            await page.getByRole('button', {name: `Save rule first-${stamp}`}).click();
            await page.locator('#notice', {hasText: 'keyword_pattern'}).waitFor(); // the API's 400, shown
            expectBadRequest = false;
        } finally {
            await api(`/admin/routes/${first}`, {method: 'DELETE'});
            await api(`/admin/routes/${second}`, {method: 'DELETE'});
        }
    });

    await step('open the usage chart', async () => {
        await page.click('nav a[href="#/usage"]');
        await page.locator('#by-tenant-title').waitFor();
        await page.locator('.uplot').first().waitFor();
        await page.locator('table td', {hasText: new Date().toISOString().slice(0, 10)}).first().waitFor();
        await shot('usage');
    });

    await step('an invoice for this month, with its PDF and CSV', async () => {
        await page.selectOption('#invoice-tenant', {label: TENANT_NAME});
        await page.getByRole('button', {name: 'Show invoice', exact: true}).click();
        await page.locator('#invoice td', {hasText: MODEL}).waitFor(); // the request of the overview step, billed
        for (const [button, magic] of [['Download PDF', '%PDF'], ['Download CSV', 'row_type,tenant_id']]) {
            const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', {name: button}).click()]);
            const chunks = [];
            for await (const chunk of await file.createReadStream()) chunks.push(chunk);
            assert.ok(Buffer.concat(chunks).toString('latin1').startsWith(magic), `${button}: ${file.suggestedFilename()}`);
        }
        await shot('invoice');
    });

    await step('the swap timeline shows the load', async () => {
        await page.click('nav a[href="#/timeline"]');
        await page.locator(`#timeline g[data-model="${MODEL}"] rect[data-state="LOADING"]`).waitFor();
        await page.locator(`#timeline g[data-model="${MODEL}"] rect[data-state="READY"]`).waitFor();
        // the overview step's request waited for the load: marked under the lane
        const wait = page.locator(`#timeline g[data-model="${MODEL}"] rect.wait`).first();
        await wait.waitFor();
        assert.match(await wait.locator('title').textContent(), /1 of 1 requests waited/);
        await shot('timeline');
    });

    await step('models and engines: a model unloaded by its button', async () => {
        await page.click('nav a[href="#/models"]');
        await page.locator(`tr[data-model="${MODEL}"] .badge`, {hasText: 'READY'}).waitFor();
        await shot('models');
        await page.getByRole('button', {name: `Unload ${MODEL}`}).click(); // confirmed in the dialog
        await page.locator(`tr[data-model="${MODEL}"] .badge`, {hasText: 'COLD'}).waitFor();
        // a model whose engine fails at start: its last log lines on the page
        const failed = await fetch(`${BASE_URL}/v1/chat/completions`, {method: 'POST',
            headers: {Authorization: `Bearer ${TENANT_KEY}`, 'Content-Type': 'application/json'},
            body: JSON.stringify({model: BROKEN_MODEL, max_tokens: 3, messages: [{role: 'user', content: 'hi'}]})});
        assert.equal(failed.status, 503);
        await page.locator(`section[data-failed-model="${BROKEN_MODEL}"] pre.log`, {hasText: 'No available memory'}).waitFor();
        await shot('models-failed');
    });

    await step('usable on a narrow screen and by keyboard', async () => {
        await page.setViewportSize({width: 390, height: 844});
        for (const [name, ready] of [['models', `tr[data-model="${MODEL}"]`], ['tenants', `tr[data-tenant="${TENANT_NAME}"]`],
            ['usage', '.uplot'], ['routing', '#explain-request'], ['timeline', `#timeline g[data-model="${MODEL}"]`],
            ['overview', `tr[data-model="${MODEL}"]`]]) {
            await page.click(`nav a[href="#/${name}"]`);
            await page.locator(ready).first().waitFor();
            const width = await page.evaluate(() => document.documentElement.scrollWidth);
            assert.ok(width <= 400, `${name}: no sideways scrolling of the page (tables scroll inside): ${width} px`);
        }
        await shot('overview-narrow');
        await page.setViewportSize({width: 1280, height: 900});
        await page.keyboard.press('Tab'); // the skip link, then the pages
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#/overview');
    });

    await step('the pages logged no error', async () => {
        assert.deepEqual(problems, []);
    });
    console.log('all console steps passed');
} catch (e) {
    console.log(`FAILED ${current}: ${e.message}`);
    if (problems.length) console.log(`browser problems: ${[...new Set(problems)].slice(0, 10).join(" | ")}`);
    await shot(`failed-${current.replace(/\W+/g, '-')}`).catch(() => {});
    process.exitCode = 1;
} finally {
    await browser.close();
}
