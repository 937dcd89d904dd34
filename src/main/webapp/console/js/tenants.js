// Tenants and keys: every tenant with its limits and what it used of them (today, this month), creating one;
// a chosen tenant's keys (a new key is shown once, with a copy button), revoking one, and its budget alerts.
import {api, get, query} from './api.js';
import {ago, amount, attempt, count, field, fill, h, money, notify, numberOrNull, orDash, row, table, time} from './dom.js';

const LIMITS = [['rpm_limit', 'Requests / min'], ['tpm_limit', 'Tokens / min'], ['max_concurrency', 'Concurrent'],
    ['daily_token_budget', 'Tokens / day'], ['monthly_token_budget', 'Tokens / month'], ['monthly_spend_limit', 'Spend / month']];
const SHORT = {rpm_limit: 'req/min', tpm_limit: 'tokens/min', max_concurrency: 'concurrent', daily_token_budget: 'tokens/day',
    monthly_token_budget: 'tokens/month', monthly_spend_limit: '/month'};

export default function tenants(main) {
    const list = h('div');
    const detail = h('div');
    const filter = h('input', {type: 'search', id: 'tenant-filter', placeholder: 'name contains…'});
    filter.addEventListener('input', () => {
        const wanted = filter.value.trim().toLowerCase();
        for (const tr of list.querySelectorAll('tr[data-tenant]')) tr.hidden = !tr.dataset.tenant.toLowerCase().includes(wanted);
    });
    main.append(h('h1', {}, 'Tenants and keys'), h('section', {class: 'panel'}, h('div', {class: 'row'}, field('Find a tenant', filter)),
        h('p', {class: 'muted'}, 'Rates are enforced in sliding minutes, budgets per UTC day and month; no limit shown is no '
            + 'limit. The last minute counts requests that have ended, on every replica; in flight is counted for tenants '
            + 'with a concurrency limit.'),
        list), detail, createForm());
    let selected = null;

    async function refresh() {
        const today = new Date().toISOString().slice(0, 10);
        const [all, month, day, minute] = await Promise.all([get('/admin/tenants'),
            get(`/admin/reports/billing${query({group_by: 'month'})}`),
            get(`/admin/reports/billing${query({group_by: 'day', from: today, to: today})}`),
            get('/admin/tenants/activity?seconds=60')]).catch(e => {
            notify(`Could not load the tenants: ${e.message}`);
            return [null];
        });
        if (!all) return;
        const used = (report, id) => report.data.filter(l => l.tenant_id === id);
        const columns = [{label: 'Tenant'}, {label: 'Status'}, {label: 'Limits', hideNarrow: true},
            {label: 'Requests last minute', num: true}, {label: 'Tokens last minute', num: true, hideNarrow: true},
            {label: 'In flight', num: true, hideNarrow: true},
            {label: 'Tokens today', num: true}, {label: 'Tokens this month', num: true}, {label: 'Spent this month', num: true}, {label: ''}];
        fill(list, table(columns, all.data.map(t => {
            const todayLines = used(day, t.id);
            const monthLines = used(month, t.id);
            const tokens = lines => lines.reduce((s, l) => s + l.prompt_tokens + l.completion_tokens, 0);
            const spentMicros = monthLines.reduce((s, l) => s + l.cost_micros, 0);
            const of = (n, limit) => limit === null || limit === undefined ? count(n) : `${count(n)} of ${count(limit)}`;
            const limits = LIMITS.filter(([name]) => t[name] !== null && t[name] !== undefined).map(([name]) =>
                name === 'monthly_spend_limit' ? `${money(t[name], month.currency)}/month` : `${count(t[name])} ${SHORT[name]}`);
            const lastMinute = minute.data.find(u => u.tenant_id === t.id)
                || {requests: 0, prompt_tokens: 0, completion_tokens: 0, in_flight: null};
            return row(columns, [t.name, t.status, limits.join(' · ') || 'none',
                of(lastMinute.requests, t.rpm_limit), of(lastMinute.prompt_tokens + lastMinute.completion_tokens, t.tpm_limit),
                t.max_concurrency === null ? '—' : of(lastMinute.in_flight ?? 0, t.max_concurrency),
                of(tokens(todayLines), t.daily_token_budget), of(tokens(monthLines), t.monthly_token_budget),
                `${amount(spentMicros)} ${month.currency}` + (t.monthly_spend_limit === null ? '' : ` of ${t.monthly_spend_limit}`),
                h('button', {type: 'button', class: 'secondary', 'aria-label': `Keys of ${t.name}`, onclick: () => select(t)}, 'Keys')],
            {class: selected && selected.id === t.id ? 'selected' : null, dataset: {tenant: t.name}});
        })));
        filter.dispatchEvent(new Event('input'));
    }

    async function select(tenant) {
        selected = tenant;
        const keys = h('div');
        const secret = h('div', {'aria-live': 'polite'});
        const name = h('input', {name: 'key-name', id: 'key-name', placeholder: 'e.g. ci-pipeline'});
        const alerts = h('div');
        fill(detail, h('section', {class: 'panel', 'aria-labelledby': 'keys-title', id: 'tenant-keys'},
            h('h2', {id: 'keys-title'}, `Keys of ${tenant.name}`), keys,
            h('form', {class: 'row', onsubmit: async event => {
                event.preventDefault();
                const created = await attempt(() => api('POST', `/admin/tenants/${tenant.id}/keys`,
                    {name: name.value.trim() || null}));
                if (!created) return;
                name.value = '';
                const copy = h('button', {type: 'button', onclick: async () => {
                    try {
                        await navigator.clipboard.writeText(created.key);
                        notify('Key copied.', true);
                    } catch (e) {
                        notify('The browser did not allow copying: select the key and copy it by hand.');
                    }
                }}, 'Copy');
                fill(secret, h('div', {class: 'secret', id: 'new-key'}, h('strong', {}, 'New key, shown only this once:'),
                    h('code', {}, created.key), copy));
                loadKeys();
            }}, field('New key name', name), h('button', {type: 'submit'}, 'Create key')), secret,
            h('h2', {}, 'Budget alerts'), alerts));
        refresh();

        async function loadKeys() {
            const answer = await attempt(() => get(`/admin/tenants/${tenant.id}/keys`));
            if (!answer) return;
            const columns = [{label: 'Name'}, {label: 'Prefix'}, {label: 'Status'}, {label: 'Created', hideNarrow: true},
                {label: 'Last used'}, {label: ''}];
            fill(keys, table(columns, answer.data.map(k => row(columns, [orDash(k.name), h('code', {}, k.prefix), k.status,
                time(k.created_at), ago(k.last_used_at),
                k.status === 'active' ? h('button', {type: 'button', class: 'danger', 'aria-label': `Revoke key ${k.prefix}`,
                    onclick: async () => {
                        if (!window.confirm(`Revoke key ${k.prefix}…? Requests with it are refused at once.`)) return;
                        await attempt(() => api('DELETE', `/admin/tenants/${tenant.id}/keys/${k.id}`), 'Key revoked.');
                        loadKeys();
                    }}, 'Revoke') : null], {dataset: {key: k.prefix, status: k.status}}))));
        }
        loadKeys();
        const crossed = await attempt(() => get(`/admin/alerts${query({tenant: tenant.id, limit: 50})}`));
        if (crossed) {
            const columns = [{label: 'Crossed'}, {label: 'Scope'}, {label: 'Budget'}, {label: 'Threshold', num: true},
                {label: 'Used / budget', num: true}, {label: 'Webhook'}];
            fill(alerts, table(columns, crossed.data.map(a => [time(a.crossed_at), a.scope, a.metric.replaceAll('_', ' '),
                `${a.threshold} %`, `${count(a.used)} / ${count(a.budget)}`,
                a.webhook_url ? (a.delivered_at ? `delivered ${ago(a.delivered_at)}` : `pending (${a.attempts} tries) ${a.last_error || ''}`) : '—'])));
        }
    }

    function createForm() {
        const name = h('input', {name: 'tenant-name', id: 'tenant-name', required: true});
        const limits = Object.fromEntries(LIMITS.map(([key]) => [key, h('input', {type: 'number', min: '0',
            step: key === 'monthly_spend_limit' ? 'any' : '1', name: key, id: `tenant-${key}`})]));
        const models = h('input', {name: 'allowed-models', id: 'tenant-allowed-models', placeholder: 'all models'});
        return h('section', {class: 'panel', 'aria-labelledby': 'new-tenant-title'},
            h('h2', {id: 'new-tenant-title'}, 'Create a tenant'),
            h('form', {onsubmit: async event => {
                event.preventDefault();
                const body = {name: name.value.trim()};
                for (const [key, input] of Object.entries(limits)) body[key] = numberOrNull(input);
                const allowed = models.value.split(',').map(s => s.trim()).filter(Boolean);
                if (allowed.length) body.allowed_models = allowed;
                const created = await attempt(() => api('POST', '/admin/tenants', body), 'Tenant created.');
                if (!created) return;
                event.target.reset();
                await refresh();
                select(created);
            }},
                h('div', {class: 'row'}, field('Name', name), LIMITS.map(([key, label]) => field(label, limits[key]))),
                h('div', {class: 'row'}, field('Allowed models (comma-separated)', models),
                    h('button', {type: 'submit'}, 'Create tenant'))));
    }

    refresh();
}
