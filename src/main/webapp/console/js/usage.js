// Usage and billing: tokens, cost or requests per UTC day by tenant and by model (uPlot charts from the billing
// report, a table below each), and a tenant's invoice for a month with its PDF and CSV.
import uPlot from '/webjars/uplot/1.6.30/dist/uPlot.esm.js';
import {download, get, query} from './api.js';
import {amount, attempt, count, field, fill, h, row, table} from './dom.js';

const COLOURS = ['#1f4e79', '#c0504d', '#2e7d32', '#f2a900', '#8e6bbf', '#4f86c6', '#b0672a', '#5a6470', '#d81b60', '#00897b'];
const MEASURES = {
    tokens: {label: 'Tokens', of: l => l.prompt_tokens + l.completion_tokens, show: count},
    cost: {label: 'Cost', of: l => l.cost_micros, show: amount},
    requests: {label: 'Requests', of: l => l.requests, show: count},
};

export default function usage(main) {
    const today = new Date().toISOString().slice(0, 10);
    const from = h('input', {type: 'date', id: 'usage-from', value: `${today.slice(0, 8)}01`});
    const to = h('input', {type: 'date', id: 'usage-to', value: today});
    const measure = h('select', {id: 'usage-measure'}, Object.entries(MEASURES).map(([k, m]) => h('option', {value: k}, m.label)));
    const byTenant = h('div');
    const byModel = h('div');
    const charts = [];
    const resize = () => charts.forEach(c => c.setSize({width: c.root.parentElement.clientWidth, height: 260}));
    window.addEventListener('resize', resize);
    main.append(h('h1', {}, 'Usage and billing'),
        h('section', {class: 'panel'}, h('form', {class: 'row', onsubmit: e => { e.preventDefault(); refresh(); }},
            field('From (UTC day)', from), field('To', to), field('Show', measure), h('button', {type: 'submit'}, 'Show'))),
        h('section', {class: 'panel', 'aria-labelledby': 'by-tenant-title'}, h('h2', {id: 'by-tenant-title'}, 'Per day by tenant'), byTenant),
        h('section', {class: 'panel', 'aria-labelledby': 'by-model-title'}, h('h2', {id: 'by-model-title'}, 'Per day by model'), byModel),
        invoicePanel());
    measure.addEventListener('change', refresh);

    async function refresh() {
        charts.splice(0).forEach(c => c.destroy());
        const range = {from: from.value, to: to.value};
        const tenantDays = await attempt(() => get(`/admin/reports/billing${query({...range, group_by: 'day'})}`));
        if (!tenantDays) return;
        const m = MEASURES[measure.value];
        const days = dayList(from.value, to.value);
        const currency = tenantDays.currency;
        show(byTenant, 'tenant', days, group(tenantDays.data, l => l.tenant, m), m, currency);
        const models = await attempt(() => get(`/admin/reports/billing${query({...range, group_by: 'model'})}`));
        if (!models) return;
        const names = [...new Set(models.data.map(l => l.model))].sort();
        const perModel = await Promise.all(names.map(name =>
            get(`/admin/reports/billing${query({...range, group_by: 'day', model: name})}`)));
        const lines = perModel.flatMap((report, i) => report.data.map(l => ({...l, model: names[i]})));
        show(byModel, 'model', days, group(lines, l => l.model, m), m, currency);
    }

    function show(target, what, days, all, m, currency) {
        const series = topSeries(all, 8);
        const names = [...series.keys()];
        const unit = m === MEASURES.cost ? ` (${currency})` : '';
        if (!names.length) {
            fill(target, h('p', {class: 'muted'}, 'No usage in these days.'));
            return;
        }
        const chart = h('div', {class: 'chart', role: 'img', 'aria-label': `${m.label} per day by ${what}: ${names.join(', ')}`});
        // one row per day and name that has usage: readable on a narrow screen, and as long as a month needs
        const columns = [{label: 'Day'}, {label: what === 'tenant' ? 'Tenant' : 'Model'}, {label: `${m.label}${unit}`, num: true}];
        const rows = [];
        for (const day of days) {
            for (const name of names) {
                const value = series.get(name).get(day) || 0;
                if (value) rows.push(row(columns, [day, name, m.show(value)]));
            }
        }
        fill(target, chart, table(columns, rows));
        const x = days.map(d => Date.parse(`${d}T00:00:00Z`) / 1000);
        const data = [x, ...names.map(n => days.map(d => (series.get(n).get(d) || 0) / (m === MEASURES.cost ? 1e6 : 1)))];
        charts.push(new uPlot({
            width: Math.max(300, target.clientWidth), height: 260, tzDate: ts => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
            series: [{label: 'Day'}, ...names.map((n, i) => ({label: n, stroke: COLOURS[i % COLOURS.length], width: 2,
                points: {show: true, size: 7}}))],
            axes: [{}, {label: `${m.label}${unit}`, size: 70}],
            // half a day either side: one day alone would otherwise stretch the axis over years
            scales: {x: {time: true, range: () => [x[0] - 43200, x[x.length - 1] + 43200]}, y: {range: (u, lo, hi) => [0, Math.max(1, hi * 1.1)]}},
        }, data, chart));
    }

    function invoicePanel() {
        const tenant = h('select', {id: 'invoice-tenant'});
        const month = h('input', {type: 'month', id: 'invoice-month', value: today.slice(0, 7)});
        const out = h('div', {id: 'invoice'});
        get('/admin/tenants').then(all => fill(tenant, all.data.map(t => h('option', {value: t.id}, t.name))))
            .catch(e => fill(out, `Could not list the tenants: ${e.message}`));
        const path = format => `/admin/reports/invoice${query({tenant: tenant.value, month: month.value, format})}`;
        return h('section', {class: 'panel', 'aria-labelledby': 'invoice-title'}, h('h2', {id: 'invoice-title'}, 'Invoice'),
            h('form', {class: 'row', onsubmit: async e => {
                e.preventDefault();
                const invoice = await attempt(() => get(path('json')));
                if (!invoice) return;
                const columns = [{label: 'Model'}, {label: 'Requests', num: true}, {label: 'Input tokens', num: true},
                    {label: 'Cached', num: true}, {label: 'Output tokens', num: true}, {label: 'Price in / out per 1M', num: true},
                    {label: `Amount (${invoice.currency})`, num: true}];
                fill(out, table(columns, invoice.lines.map(l => [l.model, count(l.requests), count(l.input_tokens),
                    count(l.cached_tokens), count(l.output_tokens),
                    l.pricing === 'priced' ? `${l.input_per_mtok} / ${l.output_per_mtok}` : 'unpriced',
                    l.pricing === 'priced' ? String(l.amount) : `${l.unpriced_requests} unpriced`])),
                h('p', {}, h('strong', {}, `Total ${invoice.total} ${invoice.currency}`),
                    invoice.unpriced_requests ? ` (${invoice.unpriced_requests} requests unpriced)` : ''),
                h('p', {}, h('button', {type: 'button', class: 'secondary', onclick: () => attempt(() =>
                    download(path('pdf'), `invoice-${tenant.value}-${month.value}.pdf`))}, 'Download PDF'), ' ',
                h('button', {type: 'button', class: 'secondary', onclick: () => attempt(() =>
                    download(path('csv'), `invoice-${tenant.value}-${month.value}.csv`))}, 'Download CSV')));
            }}, field('Tenant', tenant), field('Month', month), h('button', {type: 'submit'}, 'Show invoice')), out);
    }

    refresh();
    return () => {
        window.removeEventListener('resize', resize);
        charts.forEach(c => c.destroy());
    };
}

/** The biggest series by their total, the rest added up as "others" (a chart of thirty lines reads as none). */
function topSeries(series, keep) {
    const total = days => [...days.values()].reduce((a, b) => a + b, 0);
    const ranked = [...series].sort((a, b) => total(b[1]) - total(a[1]) || a[0].localeCompare(b[0]));
    const result = new Map(ranked.slice(0, keep));
    if (ranked.length > keep) {
        const others = new Map();
        for (const [, days] of ranked.slice(keep)) for (const [day, v] of days) others.set(day, (others.get(day) || 0) + v);
        result.set(ranked.length - keep === 1 ? '1 other' : `${ranked.length - keep} others`, others);
    }
    return result;
}

/** name → (day → amount) */
function group(lines, nameOf, m) {
    const series = new Map();
    for (const line of lines) {
        const name = nameOf(line);
        if (!series.has(name)) series.set(name, new Map());
        const days = series.get(name);
        days.set(line.day, (days.get(line.day) || 0) + m.of(line));
    }
    return series;
}

/** Every UTC day from one date to another, both included (at most a year). */
function dayList(from, to) {
    const days = [];
    for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`) && days.length < 366; t += 86400_000) {
        days.push(new Date(t).toISOString().slice(0, 10));
    }
    return days;
}
