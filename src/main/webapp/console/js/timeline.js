// Swap timeline: the engine events of a window (the last hour by default) as one lane per model, each stretch
// coloured by the state it was in, the transition's reason on hover; under each lane, marks where its requests
// waited for it (a load, a full GPU), and beside it the requests waiting now and the longest load.
import {get, query} from './api.js';
import {count, fill, h, svg} from './dom.js';

const WINDOWS = [['15 min', 15], ['1 hour', 60], ['6 hours', 360], ['24 hours', 1440]];
const LANE = 26;
const LEFT = 150;
const RIGHT = 170;

export default function timeline(main) {
    const span = h('select', {id: 'window'}, WINDOWS.map(([label, minutes]) =>
        h('option', {value: minutes, selected: minutes === 60}, `Last ${label}`)), h('option', {value: 'custom'}, 'Chosen window'));
    const from = h('input', {type: 'datetime-local', id: 'from', disabled: true});
    const to = h('input', {type: 'datetime-local', id: 'to', disabled: true});
    const chart = h('div', {class: 'timeline', id: 'timeline'});
    const status = h('p', {class: 'muted', role: 'status'});
    span.addEventListener('change', () => {
        const custom = span.value === 'custom';
        from.disabled = to.disabled = !custom;
        if (custom && !from.value) {
            from.value = localInput(new Date(Date.now() - 3600_000));
            to.value = localInput(new Date());
        }
        refresh();
    });
    from.addEventListener('change', refresh);
    to.addEventListener('change', refresh);
    main.append(h('h1', {}, 'Swap timeline'),
        h('section', {class: 'panel'},
            h('div', {class: 'row'}, h('label', {}, 'Window', span), h('label', {}, 'From', from), h('label', {}, 'To', to)),
            chart, legend(), status));
    let stopped = false;
    let timer;
    async function refresh() {
        clearTimeout(timer);
        const custom = span.value === 'custom';
        const until = custom && to.value ? new Date(to.value) : new Date();
        const since = custom && from.value ? new Date(from.value) : new Date(until - Number(span.value) * 60_000);
        if (!(since < until)) {
            fill(status, 'The window must start before it ends.');
            return;
        }
        try {
            const range = {since: since.toISOString(), until: until.toISOString()};
            const bucket = Math.max(10, Math.round((until - since) / 1000 / 120)); // about 120 marks across
            const [events, engines, waits] = await Promise.all([
                get(`/admin/engines/events${query({...range, limit: 1000})}`), get('/admin/engines'),
                get(`/admin/engines/waits${query({...range, bucket_seconds: bucket})}`)]);
            if (stopped) return;
            fill(chart, draw(events.data, engines.data, waits.data, bucket, since, until, !custom));
            fill(status, `${count(events.data.length)} events from ${since.toLocaleString()} to ${until.toLocaleString()}`
                + (events.data.length === 1000 ? ' (the latest 1,000 only: choose a shorter window)' : '') + '.');
        } catch (e) {
            if (!stopped) fill(status, `Could not load the events: ${e.message}`);
        }
        if (!stopped && !custom) timer = setTimeout(refresh, 5000);
    }
    refresh();
    return () => { stopped = true; clearTimeout(timer); };
}

function localInput(date) {
    const pad = n => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Each model's stretches in the window: [{from, to, state, reason}], from its events (oldest first). */
export function stretches(events, current, since, until) {
    const lanes = new Map();
    for (const e of [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id - b.id)) {
        if (!lanes.has(e.model)) lanes.set(e.model, []);
        lanes.get(e.model).push(e);
    }
    for (const engine of current) if (!lanes.has(engine.model)) lanes.set(engine.model, []);
    const result = [];
    for (const [model, list] of [...lanes].sort((a, b) => a[0].localeCompare(b[0]))) {
        const now = current.find(c => c.model === model);
        const parts = [];
        let start = since.getTime();
        let state = list.length ? list[0].from_state : (now ? now.state : 'COLD');
        let reason = 'before this window';
        for (const e of list) {
            const at = Date.parse(e.at);
            if (at > start) parts.push({from: start, to: at, state, reason});
            start = Math.max(start, at);
            state = e.to_state;
            reason = e.reason + (e.duration_ms ? ` after ${(e.duration_ms / 1000).toFixed(1)} s` : '')
                + (e.detail ? `: ${e.detail.split('\n')[0]}` : '');
        }
        if (until.getTime() > start) parts.push({from: start, to: until.getTime(), state, reason});
        const longestLoad = Math.max(0, ...list.filter(e => e.to_state === 'READY' && e.duration_ms).map(e => e.duration_ms));
        result.push({model, parts, waiters: now ? now.waiters : 0, longestLoad});
    }
    return result;
}

function draw(events, current, waits, bucket, since, until, live) {
    const lanes = stretches(events, current, since, until);
    const width = 1200;
    const plot = width - LEFT - RIGHT;
    const x = t => LEFT + plot * (t - since.getTime()) / (until.getTime() - since.getTime());
    const height = 30 + lanes.length * LANE;
    const chart = svg('svg', {viewBox: `0 0 ${width} ${height}`, role: 'img',
        'aria-label': `Engine states of ${lanes.length} models over time`});
    for (let i = 0; i <= 6; i++) {
        const t = since.getTime() + i * (until.getTime() - since.getTime()) / 6;
        chart.append(svg('line', {x1: x(t), x2: x(t), y1: 14, y2: height, stroke: '#e3e7eb'}),
            svg('text', {x: x(t), y: 11, 'text-anchor': i === 0 ? 'start' : i === 6 ? 'end' : 'middle'},
                new Date(t).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'})));
    }
    chart.append(svg('text', {x: width - RIGHT + 10, y: 11}, live ? 'waiting now · longest load' : 'longest load'));
    lanes.forEach((lane, i) => {
        const y = 20 + i * LANE;
        const group = svg('g', {'data-model': lane.model});
        group.append(svg('text', {x: 0, y: y + 15, class: 'lane-name'}, lane.model));
        for (const part of lane.parts) {
            const w = Math.max(1, x(part.to) - x(part.from));
            group.append(svg('rect', {x: x(part.from), y, width: w, height: LANE - 11, class: `segment state-${part.state}`,
                'data-state': part.state},
                svg('title', {}, `${lane.model}: ${part.state} from ${new Date(part.from).toLocaleTimeString()} to `
                    + `${new Date(part.to).toLocaleTimeString()} (${part.reason})`)));
        }
        for (const wait of waits.filter(w => w.model === lane.model && w.waited > 0)) {
            const start = Math.max(since.getTime(), Date.parse(wait.bucket_start));
            const end = Math.min(until.getTime(), Date.parse(wait.bucket_start) + bucket * 1000);
            group.append(svg('rect', {x: x(start), y: y + LANE - 9, width: Math.max(2, x(end) - x(start)), height: 4,
                class: 'wait', 'data-waited': wait.waited},
                svg('title', {}, `${lane.model}: ${wait.waited} of ${wait.requests} requests waited from `
                    + `${new Date(start).toLocaleTimeString()}, longest ${(wait.max_queue_ms / 1000).toFixed(1)} s, `
                    + `mean ${(wait.mean_queue_ms / 1000).toFixed(1)} s`)));
        }
        const side = [live ? `${count(lane.waiters)} waiting` : null,
            lane.longestLoad ? `${(lane.longestLoad / 1000).toFixed(1)} s` : '—'].filter(Boolean).join(' · ');
        group.append(svg('text', {x: width - RIGHT + 10, y: y + 15, class: lane.waiters ? 'lane-name' : null}, side));
        chart.append(group);
    });
    if (!lanes.length) chart.append(svg('text', {x: LEFT, y: 40}, 'No models in the catalog.'));
    return chart;
}

function legend() {
    return h('div', {class: 'legend', 'aria-hidden': 'true'},
        ['READY', 'LOADING', 'DRAINING', 'STOPPING', 'SLEEPING', 'FAILED', 'COLD'].map(s => h('span', {}, h('i', {class: `state-${s}`}), s)),
        h('span', {}, h('i', {class: 'wait'}), 'requests waited (under a lane)'));
}
