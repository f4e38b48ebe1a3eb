// @ts-check
/**
 * What a message on the `/events` stream means. Gestures arrive as the pipeline's event object
 * (`{gesture, character, score, ...}`), or as whatever was POSTed to /gestures/gesture-key: a bare
 * JSON string or an object with one of `character` / `gesture` / `key` / `label`. Objects with a
 * `type` (hello, mode, settings, alarms) are control messages, never gestures.
 */

const LABEL_FIELDS = ['character', 'gesture', 'key', 'label'];

/**
 * The sign label carried by a stream value (already parsed, or the raw SSE text), or null when it
 * carries none. The label is returned trimmed but otherwise as sent: unknown labels are the
 * caller's business (they earn a red ring, not silence).
 * @param {unknown} value
 * @returns {string | null}
 */
export function gestureLabel(value) {
  const parsed = typeof value === 'string' ? parseMaybeJson(value) : value;
  if (typeof parsed === 'string') return parsed.trim() || null;
  // A digit sent bare (`data: 7`) parses as a number.
  if (isDigitNumber(parsed)) return String(parsed);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const record = /** @type {Record<string, unknown>} */ (parsed);
  if (typeof record.type === 'string' && !LABEL_FIELDS.some((f) => f in record)) return null;
  for (const field of LABEL_FIELDS) {
    const v = record[field];
    if (typeof v === 'string' && v.trim()) return v.trim();
    if (isDigitNumber(v)) return String(v);
  }
  return null;
}

/**
 * Classify one SSE `data:` payload.
 * @param {string} data
 * @returns {{kind: 'gesture', label: string} | {kind: 'hello'} | {kind: 'mode', page: string}
 *   | {kind: 'settings', settings: Record<string, unknown>} | {kind: 'alarms', alarms: unknown[]} | {kind: 'other'}}
 */
export function classifyMessage(data) {
  const parsed = parseMaybeJson(data);
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const record = /** @type {Record<string, unknown>} */ (parsed);
    if (record.type === 'hello') return { kind: 'hello' };
    if (record.type === 'mode' && typeof record.page === 'string') return { kind: 'mode', page: record.page };
    if (record.type === 'settings' && record.settings && typeof record.settings === 'object') {
      return { kind: 'settings', settings: /** @type {Record<string, unknown>} */ (record.settings) };
    }
    if (record.type === 'alarms' && Array.isArray(record.alarms)) return { kind: 'alarms', alarms: record.alarms };
  }
  const label = gestureLabel(parsed);
  return label === null ? { kind: 'other' } : { kind: 'gesture', label };
}

/** @param {unknown} v @returns {v is number} */
function isDigitNumber(v) {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 9;
}

/** JSON when it parses, else the text itself (a relay may send a bare word). @param {string} text */
function parseMaybeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
