// Routing: the rules in the order they are tried (priority, lower first; ties by id), editing one, moving one
// up or down, and the explain box: paste a request, see which rule and model would serve it and why.
import {api, get} from './api.js';
import {attempt, field, fill, h, orDash, row, table} from './dom.js';

const TEXT = ['name', 'alias', 'target_model', 'fallback_model', 'keyword_pattern'];
const NUMBERS = ['priority', 'min_messages', 'max_messages', 'min_prompt_tokens', 'max_prompt_tokens', 'max_queue_wait_ms'];
const LISTS = ['code_languages', 'alternatives'];

export default function routing(main) {
    const rules = h('div');
    const status = h('p', {class: 'muted', role: 'status'});
    const editor = h('section', {class: 'panel', 'aria-labelledby': 'rule-form-title'});
    main.append(h('h1', {}, 'Routing'), h('section', {class: 'panel'}, status, rules), editor, explainPanel());
    let current = [];

    async function refresh() {
        const listing = await attempt(() => get('/admin/routes'));
        if (!listing) return;
        current = [...listing.data].sort((a, b) => a.priority - b.priority || a.id - b.id);
        fill(status, `Rule set version ${listing.version} (in force: ${listing.version_in_force})`
            + (listing.last_error ? `; not applied: ${listing.last_error}` : '')
            + (listing.listening ? '' : '; not listening for changes, re-read every few seconds'));
        const columns = [{label: 'Order', num: true}, {label: 'Rule'}, {label: 'Priority', num: true}, {label: 'Alias'},
            {label: 'Conditions', hideNarrow: true}, {label: 'Target'}, {label: 'Alternatives / fallback', hideNarrow: true},
            {label: 'Enabled'}, {label: '', cls: 'actions'}];
        fill(rules, table(columns, current.map((r, i) => row(columns, [i + 1, r.name || `#${r.id}`, r.priority,
            `${r.alias}${r.tenant_id ? ` (tenant ${r.tenant_id})` : ''}`, conditions(r), r.target_model,
            [(r.alternatives || []).join(', ') || '—', ' / ', orDash(r.fallback_model)], r.enabled ? 'yes' : 'no', [
                h('button', {type: 'button', class: 'secondary', 'aria-label': `Move ${label(r)} up`, disabled: i === 0,
                    onclick: () => move(i, -1)}, '↑'),
                h('button', {type: 'button', class: 'secondary', 'aria-label': `Move ${label(r)} down`,
                    disabled: i === current.length - 1, onclick: () => move(i, 1)}, '↓'),
                h('button', {type: 'button', class: 'secondary', 'aria-label': `Edit ${label(r)}`, onclick: () => edit(r)}, 'Edit')]],
            {dataset: {rule: r.id}}))));
    }

    /** Swaps the rule's place with its neighbour's: priorities swapped, or made distinct when they were equal. */
    async function move(index, step) {
        const rule = current[index];
        const other = current[index + step];
        const [mine, theirs] = rule.priority === other.priority
            ? [other.priority + (step < 0 ? -1 : 1), other.priority] : [other.priority, rule.priority];
        const done = await attempt(async () => {
            await api('PATCH', `/admin/routes/${rule.id}`, {priority: mine});
            if (theirs !== other.priority) await api('PATCH', `/admin/routes/${other.id}`, {priority: theirs});
            return true;
        }, `${label(rule)} moved ${step < 0 ? 'up' : 'down'}.`);
        if (done) refresh();
    }

    function edit(rule) {
        const creating = !rule;
        const r = rule || {enabled: true, priority: 100, alias: 'auto', endpoint: null, quality: null, code_languages: [], alternatives: []};
        const inputs = {};
        for (const name of TEXT) inputs[name] = h('input', {name, id: `rule-${name}`, value: r[name] ?? ''});
        for (const name of NUMBERS) inputs[name] = h('input', {name, id: `rule-${name}`, type: 'number', value: r[name] ?? ''});
        for (const name of LISTS) inputs[name] = h('input', {name, id: `rule-${name}`, value: (r[name] || []).join(', '),
            placeholder: 'comma-separated'});
        const endpoint = h('select', {id: 'rule-endpoint'}, ['', 'chat', 'completions', 'responses'].map(v =>
            h('option', {value: v, selected: (r.endpoint || '') === v}, v || 'any')));
        const quality = h('select', {id: 'rule-quality'}, ['', 'low', 'standard', 'high'].map(v =>
            h('option', {value: v, selected: (r.quality || '') === v}, v || 'any')));
        const enabled = h('input', {type: 'checkbox', id: 'rule-enabled', checked: r.enabled});
        const form = h('form', {onsubmit: async event => {
            event.preventDefault();
            const body = {enabled: enabled.checked, endpoint: endpoint.value || null, quality: quality.value || null};
            for (const name of TEXT) body[name] = inputs[name].value.trim() || null;
            for (const name of NUMBERS) body[name] = inputs[name].value.trim() === '' ? null : Number(inputs[name].value);
            for (const name of LISTS) body[name] = inputs[name].value.split(',').map(s => s.trim()).filter(Boolean);
            if (body.priority === null) delete body.priority;
            const saved = await attempt(() => creating ? api('POST', '/admin/routes', body)
                : api('PATCH', `/admin/routes/${r.id}`, body), creating ? 'Rule added.' : 'Rule saved.');
            if (saved) {
                edit(null);
                refresh();
            }
        }},
            h('div', {class: 'row'}, TEXT.concat(NUMBERS, LISTS).map(name => field(name.replaceAll('_', ' '), inputs[name])),
                field('endpoint', endpoint), field('quality', quality), h('label', {class: 'check'}, enabled, 'enabled')),
            h('p', {}, h('button', {type: 'submit'}, creating ? 'Add rule' : `Save ${label(r)}`), ' ',
                creating ? null : h('button', {type: 'button', class: 'secondary', onclick: () => edit(null)}, 'Cancel'),
                creating ? null : [' ', h('button', {type: 'button', class: 'danger', onclick: async () => {
                    if (!window.confirm(`Delete ${label(r)}? Requests it matched go to the next rule.`)) return;
                    if (await attempt(() => api('DELETE', `/admin/routes/${r.id}`), 'Rule deleted.') !== undefined) {
                        edit(null);
                        refresh();
                    }
                }}, 'Delete')]));
        fill(editor, h('h2', {id: 'rule-form-title'}, creating ? 'Add a rule' : `Edit ${label(r)}`), form);
        if (!creating) inputs.name.focus();
    }

    edit(null);
    refresh();
}

function label(rule) {
    return rule.name ? `rule ${rule.name}` : `rule #${rule.id}`;
}

function conditions(r) {
    const parts = [];
    if (r.endpoint) parts.push(r.endpoint);
    if (r.code_languages && r.code_languages.length) parts.push(`code: ${r.code_languages.join(', ')}`);
    if (r.min_messages !== null || r.max_messages !== null) parts.push(`messages ${r.min_messages ?? 0}–${r.max_messages ?? '∞'}`);
    if (r.min_prompt_tokens !== null || r.max_prompt_tokens !== null) {
        parts.push(`prompt ${r.min_prompt_tokens ?? 0}–${r.max_prompt_tokens ?? '∞'} tokens`);
    }
    if (r.quality) parts.push(`quality ${r.quality}`);
    if (r.keyword_pattern) parts.push(`matches /${r.keyword_pattern}/`);
    return parts.join('; ') || (r.is_default ? 'default' : 'any request');
}

function explainPanel() {
    const tenant = h('select', {id: 'explain-tenant'});
    const endpoint = h('select', {id: 'explain-endpoint'}, ['chat', 'completions'].map(v => h('option', {}, v)));
    const request = h('textarea', {id: 'explain-request', spellcheck: 'false'}, JSON.stringify({model: 'auto',
        messages: [{role: 'user', content: 'Write a Python function that reverses a linked list.'}]}, null, 2));
    const out = h('div', {id: 'explain-result', 'aria-live': 'polite'});
    get('/admin/tenants').then(all => fill(tenant, all.data.map(t => h('option', {value: t.id}, t.name))))
        .catch(e => fill(out, `Could not list the tenants: ${e.message}`));
    return h('section', {class: 'panel', 'aria-labelledby': 'explain-title'}, h('h2', {id: 'explain-title'}, 'Explain a request'),
        h('p', {class: 'muted'}, 'Which rule and model would serve this request for this tenant, and why. Nothing is run.'),
        h('form', {onsubmit: async event => {
            event.preventDefault();
            let body;
            try {
                body = JSON.parse(request.value);
            } catch (e) {
                fill(out, h('p', {role: 'alert'}, `The request is not JSON: ${e.message}`));
                return;
            }
            const answer = await attempt(() => api('POST', '/admin/routes/explain',
                {tenant_id: Number(tenant.value), endpoint: endpoint.value, request: body}));
            if (!answer) return;
            fill(out, h('dl', {class: 'facts'},
                h('dt', {}, 'Model'), h('dd', {id: 'explain-model'}, h('strong', {}, answer.model)),
                h('dt', {}, 'Route'), h('dd', {}, `${answer.route}${answer.rule_id ? ` (rule #${answer.rule_id})` : ''}`),
                h('dt', {}, 'Why'), h('dd', {}, answer.matched.join('; ') || '—'),
                h('dt', {}, 'Choice'), h('dd', {}, orDash(answer.choice)),
                h('dt', {}, 'Fallback'), h('dd', {}, answer.fallback_model ? `${answer.fallback_model} (${answer.fallback_reason})` : '—'),
                h('dt', {}, 'Passed over'), h('dd', {}, answer.skipped.length
                    ? h('ul', {}, answer.skipped.map(s => h('li', {}, `rule #${s.rule_id}: ${s.reason}`))) : '—'),
                h('dt', {}, 'On the GPU'), h('dd', {}, Object.entries(answer.resident).map(([name, where]) =>
                    h('div', {}, `${name}: ${typeof where === 'string' ? where
                        : `${where.state}, ready in ${where.ready_in_ms} ms, ${where.waiting} waiting`}`)))));
        }}, h('div', {class: 'row'}, field('Tenant', tenant), field('Endpoint', endpoint)), field('Request body', request),
            h('p', {}, h('button', {type: 'submit'}, 'Explain'))), out);
}
