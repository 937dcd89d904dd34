// The admin API, with the admin token of this browser tab (sessionStorage: gone when the tab closes, never
// sent anywhere but this server's /admin). The console can do nothing the API does not allow.

const KEY = 'switchboard.admin-token';

export const session = {
    token: () => sessionStorage.getItem(KEY),
    signIn: token => sessionStorage.setItem(KEY, token),
    signOut: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
    constructor(status, message, param) {
        super(message);
        this.status = status;
        this.param = param;
    }
}

/** The listeners told when the token is refused (the app goes back to sign-in). */
const refusedListeners = [];
export const onRefused = listener => refusedListeners.push(listener);

function headers(json) {
    // the routing audit records who changed a rule: "console" tells an edit here from a SQL one
    const h = {Authorization: `Bearer ${session.token()}`, 'X-Switchboard-Admin': 'console'};
    if (json) h['Content-Type'] = 'application/json';
    return h;
}

async function failure(response) {
    const text = await response.text();
    let message = `${response.status} ${response.statusText}`;
    let param;
    try {
        const error = JSON.parse(text).error;
        if (error && error.message) {
            message = error.message;
            param = error.param;
        }
    } catch (notJson) {
        // keep the status line
    }
    if (response.status === 401) refusedListeners.forEach(l => l(message));
    return new ApiError(response.status, message, param);
}

/** A JSON call: answers the parsed body, throws ApiError with the API's own message. */
export async function api(method, path, body) {
    const response = await fetch(path, {
        method,
        headers: headers(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
    });
    if (!response.ok) throw await failure(response);
    const text = await response.text();
    return text ? JSON.parse(text) : null;
}

export const get = path => api('GET', path);

/** Whether the admin API takes this token (sign-in: a refusal here is an answer, not a lost session). */
export async function accepts(token) {
    const response = await fetch('/admin/engines', {headers: {Authorization: `Bearer ${token}`}, cache: 'no-store'});
    if (response.status === 401) return false;
    if (!response.ok) throw new ApiError(response.status, `The server answered ${response.status}: try again shortly.`);
    return true;
}

/** Saves what the path answers (a PDF, a CSV) as a file: a plain link could not carry the token. */
export async function download(path, filename) {
    const response = await fetch(path, {headers: headers(false), cache: 'no-store'});
    if (!response.ok) throw await failure(response);
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Query string from an object, skipping empty values. */
export function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, v);
    const s = q.toString();
    return s ? `?${s}` : '';
}
