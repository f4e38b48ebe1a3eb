/**
 * Events and rates -> output lines. Text lines are aligned, one per message, for a person;
 * `--json` lines are one JSON object each, for scripts. Every string that came off the wire is
 * escaped and shortened in text lines, so a hostile id or topic cannot break the one-line layout.
 */
import type { MonitorEvent, TopicKind } from './decode';
import type { RatesSnapshot } from './rates';

const KIND_WIDTH = 8;
const SUBJECT_WIDTH = 16;
const MAX_TEXT = 80;

/** Local wall-clock time, HH:MM:SS.mmm (what a person compares with other logs on the machine). */
export function clock(tsMs: number): string {
  const d = new Date(tsMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** One line of wire text: control characters escaped, at most `max` characters. */
export function clean(text: string, max = MAX_TEXT): string {
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}

export function formatBytes(bytes: number): string {
  return bytes < 1000 ? `${bytes} B` : `${(bytes / 1000).toFixed(1)} kB`;
}

function ms(n: number): string {
  return `${Number.isInteger(n) ? n : n.toFixed(1)} ms`;
}

function deadline(leftMs: number): string {
  return leftMs >= 0 ? `deadline in ${leftMs} ms` : `deadline passed ${-leftMs} ms ago`;
}

const KIND_LABEL: Record<Exclude<TopicKind['kind'], 'other'>, string> = {
  'request': 'request', 'predictions': 'reply', 'api-replies': 'reply', 'gesture': 'gesture',
  'device-status': 'status', 'worker-status': 'status', 'metadata': 'metadata',
};

function where(e: { device?: string | undefined; instance?: string | undefined; topic: string }): string {
  return e.device ?? (e.instance !== undefined ? `api/${e.instance}` : e.topic);
}

/** [kind column, subject column, details] of a text line. */
function columns(e: MonitorEvent): [string, string, string] {
  switch (e.type) {
    case 'request':
      return ['request', e.device, `id=${clean(e.id)} ${e.frames}x${e.features} ${e.encoding}${e.mask ? ' +mask' : ''}  ${deadline(e.deadline_left_ms)}  ${formatBytes(e.bytes)}`];
    case 'reply':
      return ['reply', where(e), [
        `id=${clean(e.id)} ${clean(e.label, 32)} ${e.score.toFixed(3)}`, `worker ${clean(e.worker, 40)}`, `infer ${ms(e.elapsed_ms)}`, `batch ${e.batch_size}`,
        ...(e.latency_ms !== undefined ? [`latency ${ms(e.latency_ms)}`] : []),
      ].join('  ')];
    case 'error':
      return ['error', where(e), [
        `id=${clean(e.id)} ${e.code}: ${clean(e.message)}`, ...(e.worker !== undefined ? [`worker ${clean(e.worker, 40)}`] : []),
        ...(e.latency_ms !== undefined ? [`latency ${ms(e.latency_ms)}`] : []),
      ].join('  ')];
    case 'gesture':
      return ['gesture', e.device, `${clean(e.label, 32)} ${e.score.toFixed(3)}  #${e.sequence}${e.served_by !== undefined ? `  via ${e.served_by}` : ''}`];
    case 'status':
      return ['status', e.name, `${e.role} ${e.state}${e.model !== undefined ? `  model ${clean(e.model, 60)}` : ''}`];
    case 'metadata':
      return ['metadata', clean(e.model_id, 60), `${e.classes} classes  T=${e.seq_len} F=${e.feature_dim}`];
    case 'cleared':
      return [e.kind === 'metadata' ? 'metadata' : 'status', e.name ?? clean(e.topic), 'retained message cleared'];
    case 'other':
      return ['other', clean(e.topic), `${formatBytes(e.bytes)}  ${e.head_encoding === 'text' ? clean(JSON.stringify(e.head), 60) : `hex ${e.head}`}`];
    case 'undecodable':
      return [KIND_LABEL[e.kind], clean(where(e)), `${e.id !== undefined ? `id=${clean(e.id)} ` : ''}undecodable: ${clean(e.reason, 160)} (${formatBytes(e.bytes)})`];
  }
}

function textLine(tsMs: number, kind: string, subject: string, details: string): string {
  return `${clock(tsMs)} ${kind.padEnd(KIND_WIDTH)} ${clean(subject, 60).padEnd(SUBJECT_WIDTH)} ${details}\n`;
}

/** One output line (with its newline) for a message seen at `tsMs`. */
export function formatEvent(event: MonitorEvent, tsMs: number, json: boolean): string {
  if (json) {
    const { type, ...fields } = event;
    return `${JSON.stringify({ type, ts: tsMs, ...fields })}\n`;
  }
  const [kind, subject, details] = columns(event);
  return textLine(tsMs, kind, subject, details);
}

function rate(n: number): string {
  return `${n.toFixed(1)}/s`;
}

/** The rates lines: one JSON object, or one text line per device (nothing when no device had traffic). */
export function formatRates(snapshot: RatesSnapshot, tsMs: number, json: boolean): string {
  if (json) {
    const { type, ...fields } = snapshot;
    return `${JSON.stringify({ type, ts: tsMs, ...fields })}\n`;
  }
  return Object.entries(snapshot.devices)
    .map(([device, r]) => textLine(tsMs, 'rates', device,
      `req ${rate(r.requests_per_s)}  reply ${rate(r.replies_per_s)}  gesture ${rate(r.gestures_per_s)}  err ${rate(r.errors_per_s)}  over ${snapshot.interval_s} s`))
    .join('');
}
