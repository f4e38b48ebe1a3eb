// @ts-check
/**
 * The display backend's JSON API. Errors arrive as `{ "error": "<message>" }`; they become an
 * ApiError carrying that message and the HTTP status, so toasts can show the backend's words.
 * Absolute paths: the app is served both at `/` and at `/display/`.
 */

export class ApiError extends Error {
  /** @param {string} message @param {number} status @param {unknown} [body] */
  constructor(message, status, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/**
 * @param {string} method @param {string} path @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function request(method, path, body) {
  const init = /** @type {RequestInit} */ ({ method, headers: {} });
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new ApiError(err instanceof Error ? err.message : String(err), 0);
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) throw new ApiError(json && typeof json.error === 'string' ? json.error : `HTTP ${res.status}`, res.status, json);
  return json;
}

export const api = {
  state: () => request('GET', '/api/display/state'),
  info: () => request('GET', '/api/info'),
  putSettings: (/** @type {object} */ patch) => request('PUT', '/api/settings', patch),
  addAlarm: (/** @type {string} */ time, label = '') => request('POST', '/api/alarms', { time, label }),
  patchAlarm: (/** @type {string} */ id, /** @type {object} */ patch) => request('PATCH', `/api/alarms/${encodeURIComponent(id)}`, patch),
  deleteAlarm: (/** @type {string} */ id) => request('DELETE', `/api/alarms/${encodeURIComponent(id)}`),
  weather: () => request('GET', '/api/weather'),
  devices: () => request('GET', '/api/devices'),
  toggleDevice: (/** @type {string} */ entityId) => request('POST', `/api/devices/${encodeURIComponent(entityId)}/toggle`),
  netStatus: () => request('GET', '/net/status'),
  wifiList: () => request('GET', '/net/wifi'),
  connect: (/** @type {string} */ ssid, /** @type {string | undefined} */ password) =>
    request('POST', '/net/connect', password ? { ssid, password } : { ssid }),
  reportMode: (/** @type {string} */ page, /** @type {boolean} */ armed) => request('POST', '/mode/report', { page, armed }),
  tutorial: (/** @type {string} */ label) => request('GET', `/api/tutorial/${encodeURIComponent(label)}`),
};
