// Building the page. Everything from the admin API goes in as text (textContent, attribute values), never as
// HTML: a tenant named "<img onerror=...>" shows as those characters.

/** h('td', {class: 'num'}, 'text', childNode, [more]) */
export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
        if (value === undefined || value === null || value === false) continue;
        if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
        else if (name === 'dataset') Object.assign(el.dataset, value);
        else el.setAttribute(name, value === true ? '' : String(value));
    }
    append(el, children);
    return el;
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg(tag, attrs = {}, ...children) {
    const el = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs || {})) {
        if (value !== undefined && value !== null) el.setAttribute(name, String(value));
    }
    append(el, children);
    return el;
}

function append(el, children) {
    for (const child of children.flat(Infinity)) {
        if (child === null || child === undefined || child === false) continue;
        el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
}

/** Replaces the element's content. */
export function fill(el, ...children) {
    el.replaceChildren();
    append(el, children);
    return el;
}

/** A table: columns [{label, num, hideNarrow}], rows of cells (text or nodes). */
export function table(columns, rows, caption) {
    return h('div', {class: 'table-wrap'}, h('table', {},
        caption ? h('caption', {class: 'muted'}, caption) : null,
        h('thead', {}, h('tr', {}, columns.map(c => h('th', {scope: 'col', class: cellClass(c)}, c.label)))),
        h('tbody', {}, rows.length ? rows.map(r => r instanceof Node ? r : row(columns, r))
            : h('tr', {}, h('td', {colspan: columns.length, class: 'muted'}, 'Nothing yet.')))));
}

/** One table row of these cells, laid out as the columns say; attrs on the <tr> (dataset for tests and styles). */
export function row(columns, cells, attrs = {}) {
    return h('tr', attrs, cells.map((cell, i) => h('td', {class: cellClass(columns[i])}, cell)));
}

function cellClass(column) {
    return [column.num ? 'num' : '', column.hideNarrow ? 'hide-narrow' : '', column.cls || ''].join(' ').trim() || null;
}

export function badge(state) {
    return h('span', {class: `badge state-${state}`}, state);
}

const numbers = new Intl.NumberFormat('en-US');
export const count = n => n === null || n === undefined ? '—' : numbers.format(n);
export const gib = n => n === null || n === undefined ? '—' : `${Number(n).toFixed(1)} GiB`;
export const money = (amount, currency) => amount === null || amount === undefined ? '—' : `${amount} ${currency || ''}`.trim();
/** Exact money from integer micro-units: 1234500 → "1.2345" (at least two decimals, never rounded). */
export function amount(micros) {
    const negative = micros < 0;
    const m = Math.abs(micros);
    let fraction = String(m % 1_000_000).padStart(6, '0').replace(/0+$/, '');
    if (fraction.length < 2) fraction = fraction.padEnd(2, '0');
    return `${negative ? '-' : ''}${count(Math.floor(m / 1_000_000))}.${fraction}`;
}
export const orDash = v => v === null || v === undefined || v === '' ? '—' : v;

/** "3 min ago", "2 h ago", or the date. */
export function ago(iso) {
    if (!iso) return '—';
    const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (seconds < 5) return 'just now';
    if (seconds < 90) return `${seconds} s ago`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
    if (seconds < 172800) return `${Math.round(seconds / 3600)} h ago`;
    return iso.slice(0, 10);
}

export const time = iso => iso ? new Date(iso).toLocaleString() : '—';

/** The shared message line at the top: an error (default) or a confirmation. */
export function notify(message, ok = false) {
    const notice = document.getElementById('notice');
    notice.textContent = message;
    notice.classList.toggle('ok', ok);
    notice.hidden = false;
    clearTimeout(notify.timer);
    notify.timer = setTimeout(() => { notice.hidden = true; }, ok ? 4000 : 10000);
}

/** Runs an action, showing its failure in the notice line instead of losing it. */
export async function attempt(action, done) {
    try {
        const result = await action();
        if (done) notify(done, true);
        return result;
    } catch (e) {
        notify(e.message || String(e));
        return undefined;
    }
}

/** A labelled form field; value read back with field.input.value. */
export function field(label, input) {
    return h('label', {}, label, input);
}

/** A number input's value as a number, or null when empty. */
export function numberOrNull(input) {
    const v = input.value.trim();
    return v === '' ? null : Number(v);
}
