// @ts-check
/**
 * Four-digit entry by signs: an alarm as HHMM (a 24 h time) or a timer as MMSS. Each digit is
 * checked as it arrives so an impossible one (a 7 as the first hour digit) is refused at once
 * (red ring) instead of after four signs.
 */

/** @typedef {{ kind: 'alarm' | 'timer', digits: string }} Entry */

/** @param {'alarm' | 'timer'} kind @returns {Entry} */
export function startEntry(kind) {
  return { kind, digits: '' };
}

/**
 * @param {Entry} entry @param {string} digit
 * @returns {{ status: 'more', entry: Entry } | { status: 'done', entry: Entry, time?: string, seconds?: number }
 *   | { status: 'invalid', entry: Entry }}
 */
export function pushDigit(entry, digit) {
  if (!/^[0-9]$/.test(digit) || entry.digits.length >= 4) return { status: 'invalid', entry };
  const digits = entry.digits + digit;
  if (!acceptable(entry.kind, digits)) return { status: 'invalid', entry };
  const next = { ...entry, digits };
  if (digits.length < 4) return { status: 'more', entry: next };
  if (entry.kind === 'alarm') return { status: 'done', entry: next, time: `${digits.slice(0, 2)}:${digits.slice(2)}` };
  const seconds = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return { status: 'done', entry: next, seconds };
}

/** Whether `digits` (1-4 of them) can still become a valid value. @param {'alarm' | 'timer'} kind @param {string} digits */
function acceptable(kind, digits) {
  const d = [...digits].map(Number);
  if (kind === 'alarm') {
    if (d[0] !== undefined && d[0] > 2) return false;
    if (d[1] !== undefined && d[0] === 2 && d[1] > 3) return false;
    if (d[2] !== undefined && d[2] > 5) return false;
    return true;
  }
  if (d[2] !== undefined && d[2] > 5) return false;
  // 00:00 would be a timer that rings at once.
  if (digits.length === 4 && digits === '0000') return false;
  return true;
}

/** "07:3–" style display of a partial entry. @param {Entry} entry */
export function entryDisplay(entry) {
  const padded = entry.digits.padEnd(4, '–');
  return `${padded.slice(0, 2)}:${padded.slice(2)}`;
}
