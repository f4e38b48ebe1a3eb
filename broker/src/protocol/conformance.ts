/**
 * MQTT 3.1.1 conformance checks that aedes 1.2 / mqtt-packet 9 leave out (issue 10).
 *
 * WHERE: each connection's mqtt-packet parser, at the moment a packet is complete and before
 * aedes sees it. `installConformanceChecks(aedes)` wraps `aedes.handle` (so every listener
 * that hands a stream to aedes, TCP, WebSocket or TLS, is covered) and, per client, wraps
 * three methods of that client's own parser instance:
 *   - `_newPacket()`  (runs once per packet, while the packet's body bytes are still in the
 *     parser's buffer list): `checkPacket()` on the decoded packet, with the raw body at hand;
 *   - `_parseConnect()`: an unsupported protocol level gets CONNACK 1 (mqtt-packet would
 *     otherwise close without a CONNACK for levels other than 3/4/5);
 *   - `parse()`: ignores input after a violation.
 * A violation ends the connection the way mqtt-packet's own parse errors do: the parser emits
 * 'error', aedes logs it (clientError/connectionError) and destroys the socket. The two
 * CONNECT refusals the spec answers with a CONNACK (1: protocol level, 2: empty client id with
 * clean session 0) write the CONNACK first and close after it is flushed (aedes' connect
 * timeout still closes the connection should the write never complete).
 *
 * WHY this layer (decision for issue 10): the faults are in the parser (it accepts what the
 * spec calls malformed: decodes bad UTF-8 to U+FFFD, takes PINGREQ/PUBACK of any length,
 * empty SUBSCRIBE/UNSUBSCRIBE, will QoS 3, ...) and in aedes' CONNECT handling. Checking each
 * packet once it is parsed costs one function call, a switch and, for PUBLISH, one regex
 * test on the topic (see broker/bench/conformance.ts), needs no second parser and no copy of
 * the bytes. A Transform in front of aedes would re-frame every byte; patch-package patches
 * of node_modules would need a root postinstall and break silently on upgrade. The price is
 * reliance on four private names of mqtt-packet's Parser (`_newPacket`, `_parseConnect`,
 * `_list`, `packet`); `guardClient` verifies them per connection and refuses the connection
 * (fails closed) if they are missing, and test/conformance/internals.test.ts pins them.
 *
 * UTF-8 ([MQTT-1.5.3]): mqtt-packet decodes strings with Buffer#toString, which turns every
 * ill-formed sequence (also CESU surrogates ED A0 80.., overlongs, > U+10FFFF) into U+FFFD.
 * So a decoded string without U+FFFD came from well-formed UTF-8; only when one contains
 * U+FFFD are the raw bytes of the packet's strings re-validated (a literal U+FFFD is legal).
 * Refused like Mosquitto 2 does: ill-formed UTF-8 and U+0000 (MUST), and the code points the
 * spec says a receiver MAY close for: controls U+0001..U+001F, U+007F..U+009F and Unicode
 * non-characters (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF). In client ids, usernames, will topics,
 * topic names and topic filters. Passwords and payloads are binary and not checked.
 */
import { isUtf8 } from 'node:buffer';
import type { Aedes, Client } from 'aedes';

/** The part of mqtt-packet's BufferList (bl) the checks read. */
export interface RawBody {
  readonly length: number;
  readUInt8(offset: number): number;
  readUInt16BE(offset: number): number;
  slice(start: number, end: number): Buffer;
}

/** A decoded packet as mqtt-packet's parser holds it (only the fields the checks read). */
export interface ParsedPacket {
  cmd: string;
  length: number;
  qos?: number;
  dup?: boolean;
  messageId?: number;
  topic?: string | null;
  protocolVersion?: number;
  clean?: boolean;
  clientId?: string;
  username?: string;
  password?: Buffer;
  will?: { topic?: string; qos?: number; retain?: boolean };
  subscriptions?: { topic: string; qos: number }[];
  unsubscriptions?: string[];
}

export interface Violation {
  reason: string;
  /** CONNACK return code to send before closing; absent = close without an answer. */
  connack?: number;
}

/** The error aedes receives (and logs) for a refused packet. */
export class ProtocolViolation extends Error {
  readonly code = 'MQTT_PROTOCOL_VIOLATION';
  constructor(readonly violation: Violation) {
    super(`MQTT protocol violation: ${violation.reason}`);
  }
}

// Characters that need a closer look: controls, non-characters, U+FFFD (maybe bad UTF-8),
// low surrogates DFFE/DFFF (maybe a supplementary non-character such as U+1FFFE).
const SUSPECT = /[\u0000-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFD-\uFFFF\uDFFE\uDFFF]/;
const TOPIC_NAME_SUSPECT = /[+#\u0000-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFD-\uFFFF\uDFFE\uDFFF]/;
const NEEDS_RAW = 'raw';

/** undefined: fine; NEEDS_RAW: contains U+FFFD, the raw bytes decide; otherwise the reason. */
function textProblem(s: string): string | undefined {
  let needsRaw = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return 'U+0000 in a UTF-8 string [MQTT-1.5.3-2]';
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return `control character U+${hex(c)} in a UTF-8 string [MQTT-1.5.3]`;
    if ((c >= 0xfdd0 && c <= 0xfdef) || c === 0xfffe || c === 0xffff) return `non-character U+${hex(c)} in a UTF-8 string [MQTT-1.5.3]`;
    if ((c === 0xdffe || c === 0xdfff) && i > 0 && (s.charCodeAt(i - 1) & 0xfc3f) === 0xd83f) {
      return `non-character U+${hex(s.codePointAt(i - 1)!)} in a UTF-8 string [MQTT-1.5.3]`;
    }
    if (c === 0xfffd) needsRaw = true;
  }
  return needsRaw ? NEEDS_RAW : undefined;
}

function hex(c: number): string {
  return c.toString(16).toUpperCase().padStart(4, '0');
}

/** Checks decoded strings; when one holds U+FFFD, re-validates the raw string fields. */
function checkTexts(texts: (string | undefined | null)[], rawStrings: () => Buffer[]): Violation | undefined {
  let needsRaw = false;
  for (const t of texts) {
    if (!t || !SUSPECT.test(t)) continue;
    const p = textProblem(t);
    if (p === NEEDS_RAW) needsRaw = true;
    else if (p) return { reason: p };
  }
  if (needsRaw && !rawUtf8Valid(rawStrings)) return { reason: 'ill-formed UTF-8 string [MQTT-1.5.3-1]' };
  return undefined;
}

function rawUtf8Valid(rawStrings: () => Buffer[]): boolean {
  try {
    return rawStrings().every((b) => isUtf8(b));
  } catch {
    return false; // the raw body does not have the layout the parser reported: refuse
  }
}

/** The raw bytes of each UTF-8 string field of a 3.1.1 packet body (only read on the U+FFFD path). */
export function rawStringFields(p: ParsedPacket, raw: RawBody): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  const take = (): number => {
    const len = raw.readUInt16BE(pos);
    const start = pos + 2;
    pos = start + len;
    return start;
  };
  const string = () => {
    const start = take();
    out.push(raw.slice(start, pos));
  };
  switch (p.cmd) {
    case 'publish':
      string();
      break;
    case 'subscribe':
      pos = 2;
      while (pos < p.length) {
        string();
        pos += 1; // requested QoS
      }
      break;
    case 'unsubscribe':
      pos = 2;
      while (pos < p.length) string();
      break;
    case 'connect': {
      take(); // protocol name
      const flags = raw.readUInt8(pos + 1);
      pos += 4; // level, flags, keepalive
      string(); // client id
      if (flags & 0x04) {
        string(); // will topic
        take(); // will payload (binary)
      }
      if (flags & 0x80) string(); // username
      break;
    }
  }
  return out;
}

function close(reason: string): Violation {
  return { reason };
}

/**
 * The checks for one complete packet sent by a client, as decoded by mqtt-packet, with its raw
 * body (variable header + payload). Returns the violation, or undefined when the packet may go
 * on to aedes. Exported for unit tests and the bench.
 */
export function checkPacket(p: ParsedPacket, raw: RawBody): Violation | undefined {
  switch (p.cmd) {
    case 'publish': {
      if (p.qos === 0 && p.dup) return close('PUBLISH QoS 0 with DUP set [MQTT-3.3.1-2]');
      if (p.qos! > 0 && p.messageId === 0) return close('PUBLISH QoS > 0 with packet id 0 [MQTT-2.3.1-1]');
      const topic = p.topic ?? '';
      if (topic.length === 0) return close('empty PUBLISH topic [MQTT-4.7.3-1]');
      if (!TOPIC_NAME_SUSPECT.test(topic)) return undefined; // the fast path
      if (topic.includes('+') || topic.includes('#')) return close('wildcard in PUBLISH topic name [MQTT-3.3.2-2]');
      return checkTexts([topic], () => rawStringFields(p, raw));
    }
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      if (p.length !== 2) return close(`${p.cmd.toUpperCase()} with remaining length ${p.length}, must be 2 [MQTT-3.4.1]`);
      if (p.messageId === 0) return close(`${p.cmd.toUpperCase()} with packet id 0 [MQTT-2.3.1-1]`);
      return undefined;
    case 'subscribe': {
      const subs = p.subscriptions ?? [];
      if (subs.length === 0) return close('SUBSCRIBE without topic filters [MQTT-3.8.3-3]');
      if (p.messageId === 0) return close('SUBSCRIBE with packet id 0 [MQTT-2.3.1-1]');
      return checkTexts(subs.map((s) => s.topic), () => rawStringFields(p, raw));
    }
    case 'unsubscribe': {
      const filters = p.unsubscriptions ?? [];
      if (filters.length === 0) return close('UNSUBSCRIBE without topic filters [MQTT-3.10.3-2]');
      if (p.messageId === 0) return close('UNSUBSCRIBE with packet id 0 [MQTT-2.3.1-1]');
      return checkTexts(filters, () => rawStringFields(p, raw));
    }
    case 'pingreq':
    case 'disconnect':
      if (p.length !== 0) return close(`${p.cmd.toUpperCase()} with remaining length ${p.length}, must be 0 [MQTT-3.12.1, MQTT-3.14.1]`);
      return undefined;
    case 'connect':
      return checkConnect(p, raw);
    default:
      return undefined;
  }
}

function checkConnect(p: ParsedPacket, raw: RawBody): Violation | undefined {
  // MQTT 5 is refused by aedes itself with CONNACK 1; its body layout differs, so leave it.
  if (p.protocolVersion === 5) return undefined;
  const will = p.will;
  if (will && will.qos === 3) return close('CONNECT with will QoS 3 [MQTT-3.1.2-14]');
  if (p.password !== undefined && p.username === undefined) return close('CONNECT with password flag but no user name flag [MQTT-3.1.2-22]');
  const textViolation = checkTexts([p.clientId, will?.topic, p.username], () => rawStringFields(p, raw));
  if (textViolation) return textViolation;
  if (will) {
    const t = will.topic ?? '';
    if (t.length === 0) return close('CONNECT with an empty will topic [MQTT-4.7.3-1]');
    if (t.includes('+') || t.includes('#')) return close('wildcard in will topic [MQTT-3.1.3-11, MQTT-4.7.1]');
  }
  if (!p.clientId && !p.clean) return { reason: 'empty client id with clean session 0 [MQTT-3.1.3-8]', connack: 2 };
  return undefined;
}

/**
 * The protocol level check of CONNECT, run on the raw body before mqtt-packet parses it:
 * "MQTT" needs level 4 (5 is left to aedes, which answers CONNACK 1 itself), "MQIsdp" level 3.
 * Any other level is answered with CONNACK 1 [MQTT-3.1.2-2]. Unknown protocol names are left to
 * mqtt-packet, which closes the connection (allowed by [MQTT-3.1.2-1]).
 */
export function checkProtocolLevel(raw: RawBody, length: number): Violation | undefined {
  if (raw.length < 2 || length < 2) return undefined;
  const nameLen = raw.readUInt16BE(0);
  if (2 + nameLen >= length || 2 + nameLen >= raw.length) return undefined;
  const name = raw.slice(2, 2 + nameLen).toString('latin1');
  const level = raw.readUInt8(2 + nameLen) & 0x7f; // bit 7: mqtt-packet's bridge mode
  const ok = name === 'MQTT' ? level === 4 || level === 5 : name === 'MQIsdp' ? level === 3 : true;
  return ok ? undefined : { reason: `unsupported protocol level ${level} for "${name}" [MQTT-3.1.2-2]`, connack: 1 };
}

/** The private surface of mqtt-packet's Parser that the checks use. */
interface ParserInternals {
  packet: ParsedPacket;
  _list: RawBody;
  error: Error | null;
  _newPacket(): boolean;
  _parseConnect(): unknown;
  parse(buf: Buffer): number;
  emit(event: 'error', err: Error): boolean;
}

interface ClientInternals {
  _parser?: ParserInternals;
  closed: boolean;
  conn: NodeJS.WritableStream & { destroy?: (err?: Error) => void; destroyed?: boolean };
}

const GUARDED = Symbol('helen.conformance');

/** True when the parser exposes what the checks rely on (pinned by a test). */
export function parserSupported(parser: unknown): parser is ParserInternals {
  const p = parser as Partial<ParserInternals> | undefined;
  return !!p && typeof p._newPacket === 'function' && typeof p._parseConnect === 'function' &&
    typeof p.parse === 'function' && typeof p._list === 'object' && p._list !== null && typeof p.packet === 'object';
}

/** Wraps one client's parser. Exported for tests; installConformanceChecks does it for every connection. */
export function guardClient(client: Client): void {
  const c = client as unknown as ClientInternals;
  const parser = c._parser;
  if (!parserSupported(parser)) {
    // Fail closed: without the checks this connection would get plain aedes behaviour.
    c.conn.destroy?.(new Error('conformance checks: unsupported mqtt-packet parser (private API changed?)'));
    return;
  }
  const p = parser as ParserInternals & { [GUARDED]?: boolean };
  if (p[GUARDED]) return;
  p[GUARDED] = true;
  let rejected = false;
  const { parse, _newPacket: newPacket, _parseConnect: parseConnect } = p;

  const reject = (v: Violation): void => {
    rejected = true;
    const err = new ProtocolViolation(v);
    p.error = err; // stops mqtt-packet's parse loop after this state
    if (v.connack === undefined) {
      p.emit('error', err); // aedes: log, destroy the socket, close the client
      return;
    }
    // aedes' connect timer stays armed: it closes the connection should this write never finish.
    c.conn.write(Buffer.from([0x20, 0x02, 0x00, v.connack]), () => {
      if (!c.closed) p.emit('error', err);
    });
  };

  p.parse = function guardedParse(buf: Buffer): number {
    return rejected ? 0 : parse.call(this, buf);
  };
  p._parseConnect = function guardedParseConnect(): unknown {
    const v = checkProtocolLevel(this._list, this.packet.length);
    if (v) return reject(v);
    return parseConnect.call(this);
  };
  p._newPacket = function guardedNewPacket(): boolean {
    const v = checkPacket(this.packet, this._list);
    if (v) {
      reject(v);
      return false;
    }
    return newPacket.call(this);
  };
}

/** Installs the checks on every connection this aedes instance will handle. Idempotent. */
export function installConformanceChecks(aedes: Aedes): void {
  const a = aedes as Aedes & { [GUARDED]?: boolean };
  if (a[GUARDED]) return;
  a[GUARDED] = true;
  const handle = aedes.handle;
  aedes.handle = (stream, request) => {
    const client = handle(stream, request);
    guardClient(client);
    return client;
  };
}
