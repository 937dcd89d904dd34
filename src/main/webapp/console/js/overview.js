// Overview: each GPU as a bar of its memory split by model and state, the sleep tier's host memory, and every
// model's state and counters; polled every 2 s while the page is open.
import {get} from './api.js';
import {ago, badge, count, fill, gib, h, orDash, row, table} from './dom.js';


export default function overview(main) {
    const gpus = h('div');
    const host = h('div');
    const engines = h('div');
    const updated = h('p', {class: 'muted', role: 'status'});
    main.append(h('h1', {}, 'Overview'),
        h('section', {class: 'panel', 'aria-labelledby': 'gpu-title'}, h('h2', {id: 'gpu-title'}, 'GPU memory'), gpus, legend()),
        h('section', {class: 'panel', 'aria-labelledby': 'host-title'}, h('h2', {id: 'host-title'}, 'Host memory (sleeping models)'), host),
        h('section', {class: 'panel', 'aria-labelledby': 'engines-title'}, h('h2', {id: 'engines-title'}, 'Models'), engines),
        updated);
    let stopped = false;
    let timer;
    async function refresh() {
        try {
            const [view, catalog] = await Promise.all([get('/admin/engines'), get('/admin/models')]);
            if (stopped) return;
            // an enabled model not yet asked for has no engine: it is cold
            const known = new Set(view.data.map(e => e.model));
            const cold = catalog.data.filter(m => m.enabled && !known.has(m.name)).map(m => ({model: m.name, state: 'COLD',
                gpu: null, reserved_gib: 0, leases: 0, waiters: 0, loads: 0, evictions: 0, crashes: 0, pinned: m.pinned}));
            view.data = [...view.data, ...cold].sort((a, b) => a.model.localeCompare(b.model));
            fill(gpus, view.gpus.map(gpu => gpuBar(gpu, view.data)));
            fill(host, hostBar(view.host_memory, view.data));
            fill(engines, engineTable(view.data));
            fill(updated, `Updated ${new Date().toLocaleTimeString()}; refreshes every 2 s.`);
        } catch (e) {
            if (!stopped) fill(updated, `Could not refresh: ${e.message}`);
        }
        if (!stopped) timer = setTimeout(refresh, 2000);
    }
    refresh();
    return () => { stopped = true; clearTimeout(timer); };
}

function legend() {
    return h('div', {class: 'legend', 'aria-hidden': 'true'},
        ['READY', 'LOADING', 'DRAINING', 'STOPPING', 'SLEEPING'].map(s => h('span', {}, h('i', {class: `state-${s}`}), s)),
        h('span', {}, h('i', {class: 'state-free'}), 'free'));
}

function gpuBar(gpu, engines) {
    const capacity = Number(gpu.capacity_gib) || 1;
    const here = engines.filter(e => e.gpu === gpu.index && Number(e.reserved_gib) > 0);
    const used = here.reduce((sum, e) => sum + Number(e.reserved_gib), 0);
    const free = Math.max(0, capacity - used);
    const description = here.map(e => `${e.model} ${e.state} ${gib(e.reserved_gib)}`).join(', ') || 'empty';
    return h('div', {class: 'gpu', dataset: {gpu: gpu.index}},
        h('div', {class: 'bar-label'}, h('strong', {}, `GPU ${gpu.index}`),
            h('span', {class: 'muted'}, `${gib(used)} of ${gib(capacity)} reserved`)),
        segments(here.map(e => ({label: e.model, state: e.state, gib: Number(e.reserved_gib)})), free, capacity,
            `GPU ${gpu.index}: ${description}; ${gib(free)} free`));
}

function hostBar(hostMemory, engines) {
    if (!hostMemory || Number(hostMemory.capacity_gib) === 0) {
        return h('p', {class: 'muted'}, 'No host memory is set aside for sleeping models (SWITCHBOARD_HOST_MEMORY_GIB).');
    }
    const capacity = Number(hostMemory.capacity_gib);
    const parked = engines.filter(e => Number(e.host_gib) > 0);
    const free = Math.max(0, capacity - Number(hostMemory.used_gib));
    return h('div', {},
        h('div', {class: 'bar-label'}, h('strong', {}, 'Host'),
            h('span', {class: 'muted'}, `${gib(hostMemory.used_gib)} of ${gib(capacity)} hold sleeping models' weights`)),
        segments(parked.map(e => ({label: e.model, state: 'SLEEPING', gib: Number(e.host_gib)})), free, capacity,
            `Host memory: ${parked.map(e => `${e.model} ${gib(e.host_gib)}`).join(', ') || 'nothing parked'}`));
}

function segments(parts, free, capacity, description) {
    const bar = h('div', {class: 'bar', role: 'img', 'aria-label': description});
    for (const part of parts) {
        const span = h('span', {class: `state-${part.state}`, title: `${part.label}: ${part.state}, ${gib(part.gib)}`},
            `${part.label} · ${part.state}`);
        span.style.flexBasis = `${(100 * part.gib / capacity).toFixed(2)}%`;
        bar.append(span);
    }
    if (free > 0) {
        const span = h('span', {class: 'state-free', title: `free: ${gib(free)}`}, `free ${gib(free)}`);
        span.style.flexGrow = '1';
        bar.append(span);
    }
    return bar;
}

function engineTable(engines) {
    const columns = [{label: 'Model'}, {label: 'State'}, {label: 'GPU', num: true}, {label: 'Reserved', num: true},
        {label: 'Leases', num: true}, {label: 'Waiting', num: true}, {label: 'Loads', num: true, hideNarrow: true},
        {label: 'Evictions', num: true, hideNarrow: true}, {label: 'Crashes', num: true, hideNarrow: true},
        {label: 'Last used'}, {label: 'Last error', hideNarrow: true}];
    return table(columns, engines.map(e => row(columns, [e.pinned ? [e.model, ' ', h('span', {class: 'muted'}, '(pinned)')] : e.model, badge(e.state),
            Number(e.reserved_gib) > 0 ? orDash(e.gpu) : '—', Number(e.reserved_gib) > 0 ? gib(e.reserved_gib) : '—', count(e.leases), count(e.waiters),
            count(e.loads), count(e.evictions), count(e.crashes), ago(e.last_used), orDash(e.last_error)],
        {dataset: {model: e.model, state: e.state}})));
}
