// The console's pure functions, under Node's own test runner (run by ConsoleIT): money shown exactly, and the
// timeline's stretches built from engine events as the lanes draw them.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {amount} from '../../main/webapp/console/js/dom.js';
import {stretches} from '../../main/webapp/console/js/timeline.js';

test('money from micro-units is shown exactly, never rounded to cents', () => {
    assert.equal(amount(100), '0.0001');
    assert.equal(amount(1_234_500), '1.2345');
    assert.equal(amount(0), '0.00');
    assert.equal(amount(5_000_000), '5.00');
    assert.equal(amount(123_456_789_012), '123,456.789012');
});

test('a lane starts in the state its first event left and follows each transition to the window end', () => {
    const since = new Date('2026-12-01T10:00:00Z');
    const until = new Date('2026-12-01T11:00:00Z');
    const events = [ // newest first, as the API answers
        {id: 2, at: '2026-12-01T10:20:05Z', model: 'a', from_state: 'LOADING', to_state: 'READY', reason: 'ready', duration_ms: 5000},
        {id: 1, at: '2026-12-01T10:20:00Z', model: 'a', from_state: 'COLD', to_state: 'LOADING', reason: 'demand'},
    ];
    const [lane, idle] = stretches(events, [{model: 'a', state: 'READY', waiters: 2}, {model: 'b', state: 'SLEEPING', waiters: 0}],
        since, until);
    assert.equal(lane.model, 'a');
    assert.deepEqual(lane.parts.map(p => p.state), ['COLD', 'LOADING', 'READY']);
    assert.equal(lane.parts[0].from, since.getTime());
    assert.equal(lane.parts[1].to, Date.parse('2026-12-01T10:20:05Z'));
    assert.equal(lane.parts[2].to, until.getTime());
    assert.match(lane.parts[2].reason, /ready after 5.0 s/);
    assert.equal(lane.waiters, 2);
    assert.equal(lane.longestLoad, 5000);
    // no events in the window: the whole lane in the state it is in now
    assert.deepEqual(idle.parts.map(p => p.state), ['SLEEPING']);
});
