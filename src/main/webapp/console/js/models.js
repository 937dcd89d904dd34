// Models and engines: the catalog (create, edit, enable, disable) beside each engine's state, with load, unload
// and sleep (each confirmed first); a failed engine shows the last lines its process logged.
import {api, get, query} from './api.js';
import {attempt, badge, count, field, fill, gib, h, numberOrNull, orDash, row, table} from './dom.js';

export default function models(main) {
    const list = h('div');
    const editor = h('section', {class: 'panel', 'aria-labelledby': 'model-form-title'});
    const failures = h('div');
    main.append(h('h1', {}, 'Models and engines'), failures, h('section', {class: 'panel'}, list), editor); // failures first: they need a look
    let stopped = false;
    let timer;

    async function refresh() {
        clearTimeout(timer);
        const [catalog, engines] = await Promise.all([get('/admin/models'), get('/admin/engines')]).catch(e => {
            fill(list, h('p', {}, `Could not load the catalog: ${e.message}`));
            return [null, null];
        });
        if (stopped || !catalog) return;
        const state = new Map(engines.data.map(e => [e.model, e]));
        fill(list, catalogTable(catalog.data, state));
        await showFailures(engines.data.filter(e => e.state === 'FAILED'));
        if (!stopped) timer = setTimeout(refresh, 4000);
    }

    async function showFailures(failed) {
        const blocks = [];
        for (const engine of failed) {
            const events = await get(`/admin/engines/events${query({model: engine.model, limit: 20})}`).catch(() => ({data: []}));
            const failure = events.data.find(e => e.to_state === 'FAILED');
            blocks.push(h('section', {class: 'panel', dataset: {failedModel: engine.model}},
                h('h2', {}, `${engine.model} failed`), h('p', {}, orDash(engine.last_error)),
                failure && failure.detail ? [h('p', {class: 'muted'}, 'The last lines its process logged:'),
                    h('pre', {class: 'log'}, failure.detail)] : null));
        }
        if (!stopped) fill(failures, blocks);
    }

    function catalogTable(catalog, state) {
        const columns = [{label: 'Name'}, {label: 'Model id', hideNarrow: true}, {label: 'State'}, {label: 'GPU memory', num: true},
            {label: 'Context', num: true, hideNarrow: true}, {label: 'Task', hideNarrow: true},
            {label: 'Price in / out per 1M', num: true, hideNarrow: true}, {label: 'Enabled'}, {label: 'Actions', cls: 'actions'}];
        return table(columns, catalog.map(m => {
            const engine = state.get(m.name);
            const engineState = engine ? engine.state : 'COLD';
            const act = (label, path, verb, cls = 'secondary') => h('button', {type: 'button', class: cls,
                'aria-label': `${label} ${m.name}`, onclick: () => confirmThen(`${verb} ${m.name}?`, path)}, label);
            return row(columns, [m.name, m.model_id, badge(engineState), gib(m.gpu_memory_gib), count(m.max_model_len), m.task,
                m.price_input_per_mtok === null ? 'unpriced' : `${m.price_input_per_mtok} / ${m.price_output_per_mtok}`,
                m.enabled ? 'yes' : 'no', [
                    h('button', {type: 'button', class: 'secondary', 'aria-label': `Edit ${m.name}`, onclick: () => edit(m)}, 'Edit'),
                    m.enabled
                        ? act('Disable', `/admin/models/${encodeURIComponent(m.name)}/disable`, 'Disable (stops routing to)', 'danger')
                        : h('button', {type: 'button', class: 'secondary', 'aria-label': `Enable ${m.name}`, onclick: () =>
                            attempt(() => api('PATCH', `/admin/models/${encodeURIComponent(m.name)}`, {enabled: true}), `${m.name} enabled.`)
                                .then(refresh)}, 'Enable'),
                    m.enabled && engineState !== 'READY' ? act('Load', `/admin/engines/${encodeURIComponent(m.name)}/load`, 'Load') : null,
                    engineState === 'READY' || engineState === 'SLEEPING'
                        ? act('Unload', `/admin/engines/${encodeURIComponent(m.name)}/unload`, 'Unload (in-flight requests finish first)', 'danger') : null,
                    engineState === 'READY' && m.sleep_enabled
                        ? act('Sleep', `/admin/engines/${encodeURIComponent(m.name)}/sleep`, 'Put to sleep') : null]],
                {dataset: {model: m.name}});
        }));
    }

    async function confirmThen(question, path) {
        if (!window.confirm(question)) return;
        await attempt(() => api('POST', path), 'Done.');
        refresh();
    }

    function edit(model) {
        const creating = !model;
        const m = model || {engine: 'vllm', task: 'generate', enabled: true, sleep_enabled: false, pinned: false};
        const input = (name, attrs = {}) => h('input', {name, id: `model-${name}`, value: m[name] ?? '', ...attrs});
        const fields = {
            name: input('name', {required: true, readonly: !creating}),
            model_id: input('model_id', {placeholder: 'as vLLM names it (default: the name)'}),
            gpu_memory_gib: input('gpu_memory_gib', {type: 'number', step: '0.001', min: '0', required: true}),
            max_model_len: input('max_model_len', {type: 'number', min: '1', required: true}),
            price_input_per_mtok: input('price_input_per_mtok', {type: 'number', step: 'any', min: '0'}),
            price_cached_input_per_mtok: input('price_cached_input_per_mtok', {type: 'number', step: 'any', min: '0'}),
            price_output_per_mtok: input('price_output_per_mtok', {type: 'number', step: 'any', min: '0'}),
        };
        const before = name => m[name] === undefined || m[name] === null ? null
            : fields[name].type === 'number' ? Number(m[name]) : m[name];
        const task = h('select', {name: 'task', id: 'model-task'}, ['generate', 'embed'].map(t => h('option', {selected: m.task === t}, t)));
        const checks = Object.fromEntries(['enabled', 'pinned', 'sleep_enabled'].map(n =>
            [n, h('input', {type: 'checkbox', name: n, id: `model-${n}`, checked: !!m[n]})]));
        const form = h('form', {onsubmit: async event => {
            event.preventDefault();
            const body = {};
            for (const [name, el] of Object.entries(fields)) {
                if (name === 'name' && !creating) continue;
                const value = el.type === 'number' ? numberOrNull(el) : (el.value.trim() || null);
                if (creating ? value !== null : value !== before(name)) body[name] = value; // a price sent is a new price
            }
            body.task = task.value;
            for (const [name, el] of Object.entries(checks)) body[name] = el.checked;
            const saved = await attempt(() => creating ? api('POST', '/admin/models', body)
                : api('PATCH', `/admin/models/${encodeURIComponent(m.name)}`, body), creating ? 'Model added.' : 'Model saved.');
            if (saved) {
                edit(null);
                refresh();
            }
        }},
            h('div', {class: 'row'}, Object.entries(fields).map(([name, el]) => field(name.replaceAll('_', ' '), el)),
                field('task', task)),
            h('div', {class: 'row'}, Object.entries(checks).map(([name, el]) => h('label', {class: 'check'}, el, name.replace('_', ' ')))),
            h('p', {}, h('button', {type: 'submit'}, creating ? 'Add model' : `Save ${m.name}`), ' ',
                creating ? null : h('button', {type: 'button', class: 'secondary', onclick: () => edit(null)}, 'Cancel')));
        fill(editor, h('h2', {id: 'model-form-title'}, creating ? 'Add a model' : `Edit ${m.name}`), form);
        if (!creating) fields.model_id.focus();
    }

    edit(null);
    refresh();
    return () => { stopped = true; clearTimeout(timer); };
}
