// The console's shell: sign-in, the page router (#/overview, #/models, ...), and each page's lifecycle: a page
// is a function that fills <main> and may answer a function that stops what it started (its polling).
import {accepts, onRefused, session} from './api.js';
import {fill, h, notify} from './dom.js';
import overview from './overview.js';
import timeline from './timeline.js';
import models from './models.js';
import tenants from './tenants.js';
import usage from './usage.js';
import routing from './routing.js';

const pages = {overview, timeline, models, tenants, usage, routing};
const titles = {overview: 'Overview', timeline: 'Swap timeline', models: 'Models and engines', tenants: 'Tenants and keys',
    usage: 'Usage and billing', routing: 'Routing'};
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const signOutButton = document.getElementById('sign-out');
let stopPage = null;

function signInPage(message) {
    const token = h('input', {type: 'password', id: 'token', name: 'token', autocomplete: 'current-password', required: true});
    const error = h('p', {class: 'muted', role: 'status'}, message || '');
    const form = h('form', {onsubmit: async event => {
        event.preventDefault();
        try {
            if (!await accepts(token.value.trim())) {
                fill(error, 'That token was refused.');
                token.select();
                return;
            }
            session.signIn(token.value.trim());
            if (location.hash === '#/overview') route(); else location.hash = '#/overview'; // hashchange routes

        } catch (e) {
            fill(error, e.message);
        }
    }},
        h('label', {for: 'token'}, 'Admin token'), token,
        h('button', {type: 'submit'}, 'Sign in'), error);
    fill(main, h('section', {class: 'panel sign-in', 'aria-labelledby': 'sign-in-title'},
        h('h1', {id: 'sign-in-title'}, 'Sign in to Switchboard'),
        h('p', {class: 'muted'}, 'The token is kept only for this browser tab.'), form));
    token.focus();
}

function route() {
    if (stopPage) stopPage();
    stopPage = null;
    const signedIn = !!session.token();
    nav.hidden = !signedIn;
    signOutButton.hidden = !signedIn;
    if (!signedIn) {
        document.title = 'Sign in · Switchboard';
        signInPage();
        return;
    }
    const name = (location.hash.match(/^#\/(\w+)/) || [])[1];
    const page = pages[name] ? name : 'overview';
    for (const link of nav.querySelectorAll('a')) {
        if (link.getAttribute('href') === `#/${page}`) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
    }
    document.title = `${titles[page]} · Switchboard`;
    fill(main);
    const stop = pages[page](main);
    stopPage = typeof stop === 'function' ? stop : null;
}

onRefused(() => {
    session.signOut();
    route();
    notify('The admin token was refused: sign in again.');
});
signOutButton.addEventListener('click', () => {
    session.signOut();
    location.hash = '';
    route();
});
window.addEventListener('hashchange', () => {
    route();
    main.focus();
});
route();
