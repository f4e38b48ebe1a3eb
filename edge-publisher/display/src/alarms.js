// @ts-check
/**
 * When alarms ring. The display checks every second, by local wall-clock time: an enabled alarm
 * is due when its HH:MM is the current minute and it has not rung in that minute yet (stopping it
 * within the minute must not start it again). A tick that comes late (a busy Pi, a clock jump)
 * still catches an alarm missed by at most CATCH_UP_MS.
 */

export const CATCH_UP_MS = 2 * 60_000;
const RUNG_MEMORY = 200;

/** @typedef {{ id: string, time: string, enabled: boolean, label?: string }} Alarm */

/** "07:30" → 450, or null when it is not a 24 h time. @param {string} time */
export function minutesOfDay(time) {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');

/** Local "HH:MM" of a moment. @param {Date} date */
export function localHHMM(date) {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A name for the local minute a moment falls in, e.g. "2026-11-26T07:30". @param {Date} date */
export function minuteKey(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${localHHMM(date)}`;
}

/**
 * Alarms to ring now.
 * @param {readonly Alarm[]} alarms
 * @param {number} nowMs Date.now()
 * @param {number | null} lastCheckMs the previous check (null on the first)
 * @param {ReadonlySet<string>} rung keys from rungKey() of alarms already rung
 * @returns {{ alarm: Alarm, key: string }[]}
 */
export function dueAlarms(alarms, nowMs, lastCheckMs, rung) {
  // The minute of the previous check was covered by it; look from the next one (at most
  // CATCH_UP_MS back), always including the current minute.
  const nowMinute = floorToMinute(nowMs);
  const start = lastCheckMs === null || lastCheckMs > nowMs
    ? nowMinute
    : Math.min(nowMinute, Math.max(floorToMinute(lastCheckMs) + 60_000, floorToMinute(nowMs - CATCH_UP_MS)));
  const due = [];
  const seen = new Set();
  for (let t = start; t <= nowMs; t += 60_000) {
    const date = new Date(t);
    const hhmm = localHHMM(date);
    for (const alarm of alarms) {
      if (!alarm.enabled || alarm.time !== hhmm || seen.has(alarm.id)) continue;
      const key = rungKey(alarm, date);
      if (rung.has(key)) continue;
      seen.add(alarm.id);
      due.push({ alarm, key });
    }
  }
  return due;
}

/** @param {Alarm} alarm @param {Date} date */
export function rungKey(alarm, date) {
  return `${alarm.id}@${minuteKey(date)}`;
}

/** The set with `key` added, forgetting the oldest entries past a bound. @param {ReadonlySet<string>} rung @param {string} key */
export function markRung(rung, key) {
  const next = [...rung, key];
  return new Set(next.slice(-RUNG_MEMORY));
}

/**
 * The next enabled alarm to ring after `nowMs` and when (epoch ms), or null.
 * @param {readonly Alarm[]} alarms @param {number} nowMs
 * @returns {{ alarm: Alarm, at: number } | null}
 */
export function nextAlarm(alarms, nowMs) {
  let best = null;
  const now = new Date(nowMs);
  for (const alarm of alarms) {
    const minutes = alarm.enabled ? minutesOfDay(alarm.time) : null;
    if (minutes === null) continue;
    const at = new Date(now.getFullYear(), now.getMonth(), now.getDate(), Math.floor(minutes / 60), minutes % 60, 0, 0);
    if (at.getTime() <= nowMs) at.setDate(at.getDate() + 1);
    if (!best || at.getTime() < best.at) best = { alarm, at: at.getTime() };
  }
  return best;
}

/** Alarms sorted by time of day. @param {readonly Alarm[]} alarms */
export function sortAlarms(alarms) {
  return [...alarms].sort((a, b) => (minutesOfDay(a.time) ?? 0) - (minutesOfDay(b.time) ?? 0));
}

/** @param {number} ms */
function floorToMinute(ms) {
  const d = new Date(ms);
  d.setSeconds(0, 0);
  return d.getTime();
}
