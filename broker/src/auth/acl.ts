/**
 * Topic authorization in the style of Mosquitto's `acl_file`:
 *
 *   # comment
 *   topic [read|write|readwrite|deny] <topic or filter>      (for the current block)
 *   pattern [read|write|readwrite|deny] <filter with %u / %c> (for the current block)
 *   user <name>     rules below apply to that user
 *   role <role>     rules below apply to every user with that role (device, worker, api, monitor)
 *
 * The access word is optional and defaults to readwrite. Rules before the first `user` /
 * `role` line apply to every authenticated user. (Mosquitto differs: there, such `topic`
 * lines are for anonymous clients and every `pattern` line is global; here anonymous
 * clients, when allowed at all, get full access.)
 *
 * - A publish is allowed when a write rule matches its topic and no deny rule does.
 * - A subscription filter is allowed only when every topic it could match is readable: one
 *   read rule must cover the whole filter (`helen/#` is refused where only
 *   `helen/v1/devices/d1/predictions` is readable), and no deny rule may overlap it.
 * - `%u` / `%c` are replaced by the username / client id; a rule whose substitution would
 *   contain `/`, `+` or `#` never matches.
 */

export type Access = 'read' | 'write' | 'readwrite' | 'deny';

export interface AclRule {
  readonly access: Access;
  readonly filter: string;
  /** `pattern` lines: `%u` and `%c` are substituted. */
  readonly pattern: boolean;
  readonly line: number;
}

export interface AclScope {
  readonly kind: 'all' | 'user' | 'role';
  readonly name: string;
  readonly rules: AclRule[];
}

export interface AclSubject {
  readonly username: string;
  readonly role: string;
  readonly clientId: string;
}

export class Acl {
  constructor(readonly scopes: readonly AclScope[]) {}

  private rulesFor(s: AclSubject): { filters: string[]; access: Access }[] {
    const out: { filters: string[]; access: Access }[] = [];
    for (const scope of this.scopes) {
      if (scope.kind === 'user' && scope.name !== s.username) continue;
      if (scope.kind === 'role' && scope.name !== s.role) continue;
      for (const rule of scope.rules) {
        const filter = rule.pattern ? substitute(rule.filter, s) : rule.filter;
        if (filter !== undefined) out.push({ filters: [filter], access: rule.access });
      }
    }
    return out;
  }

  /** May `s` publish on `topic`? */
  canWrite(s: AclSubject, topic: string): boolean {
    const rules = this.rulesFor(s);
    if (rules.some((r) => r.access === 'deny' && r.filters.some((f) => topicMatches(f, topic)))) return false;
    return rules.some((r) => (r.access === 'write' || r.access === 'readwrite') && r.filters.some((f) => topicMatches(f, topic)));
  }

  /** May `s` receive a message on `topic`? */
  canRead(s: AclSubject, topic: string): boolean {
    const rules = this.rulesFor(s);
    if (rules.some((r) => r.access === 'deny' && r.filters.some((f) => topicMatches(f, topic)))) return false;
    return rules.some((r) => (r.access === 'read' || r.access === 'readwrite') && r.filters.some((f) => topicMatches(f, topic)));
  }

  /** May `s` subscribe to `filter` (the filter inside a `$share/{group}/` subscription)? */
  canSubscribe(s: AclSubject, filter: string): boolean {
    const rules = this.rulesFor(s);
    if (rules.some((r) => r.access === 'deny' && r.filters.some((f) => filtersOverlap(f, filter)))) return false;
    return rules.some((r) => (r.access === 'read' || r.access === 'readwrite') && r.filters.some((f) => filterCovers(f, filter)));
  }
}

function substitute(filter: string, s: AclSubject): string | undefined {
  const bad = (v: string) => v === '' || /[/+#]/.test(v);
  if (filter.includes('%u') && bad(s.username)) return undefined;
  if (filter.includes('%c') && bad(s.clientId)) return undefined;
  return filter.replaceAll('%u', s.username).replaceAll('%c', s.clientId);
}

const startsWithWildcard = (levels: string[]) => levels[0] === '+' || levels[0] === '#';
const isDollar = (levels: string[]) => (levels[0] ?? '').startsWith('$');

/** MQTT topic matching: does `filter` match the concrete `topic`? */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (startsWithWildcard(f) && isDollar(t)) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Does every topic that `sub` can match also match `acl`? */
export function filterCovers(acl: string, sub: string): boolean {
  const a = acl.split('/');
  const s = sub.split('/');
  if (startsWithWildcard(a) && isDollar(s)) return false;
  for (let i = 0; i < a.length; i++) {
    const al = a[i]!;
    if (al === '#') return i === a.length - 1;
    if (i >= s.length) return false;
    const sl = s[i]!;
    if (sl === '#') return false; // `#` in the subscription also matches deeper and shallower topics
    if (al === '+') continue;
    if (sl === '+' || sl !== al) return false;
  }
  return a.length === s.length;
}

/** Can some topic match both filters? */
export function filtersOverlap(x: string, y: string): boolean {
  const a = x.split('/');
  const b = y.split('/');
  if ((startsWithWildcard(a) && isDollar(b)) || (startsWithWildcard(b) && isDollar(a))) return false;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const al = a[i];
    const bl = b[i];
    if (al === '#' || bl === '#') return true;
    if (al === undefined || bl === undefined) return false;
    if (al !== '+' && bl !== '+' && al !== bl) return false;
  }
  return true;
}

/** Parses an ACL file's text; throws naming the bad line. */
export function parseAcl(text: string, source = 'ACL file'): Acl {
  const scopes: AclScope[] = [{ kind: 'all', name: '*', rules: [] }];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${source}:${i + 1}`;
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`${where}: expected "topic|pattern|user|role ..." (got "${line}")`);
    const keyword = m[1]!;
    const rest = m[2]!.trim();
    if (keyword === 'user' || keyword === 'role') {
      if (/\s/.test(rest)) throw new Error(`${where}: ${keyword} takes one name (got "${rest}")`);
      scopes.push({ kind: keyword, name: rest, rules: [] });
      return;
    }
    if (keyword !== 'topic' && keyword !== 'pattern') throw new Error(`${where}: unknown keyword "${keyword}" (topic, pattern, user, role)`);
    const am = /^(read|write|readwrite|deny)\s+(.+)$/.exec(rest);
    const access: Access = (am?.[1] as Access | undefined) ?? 'readwrite';
    const filter = (am ? am[2]! : rest).trim();
    if (/\s/.test(filter)) throw new Error(`${where}: a topic has no spaces (got "${filter}")`);
    if (!validFilter(filter)) throw new Error(`${where}: "${filter}" is not a valid topic filter`);
    scopes[scopes.length - 1]!.rules.push({ access, filter, pattern: keyword === 'pattern', line: i + 1 });
  });
  return new Acl(scopes);
}

function validFilter(filter: string): boolean {
  if (filter === '' || filter.includes('\u0000')) return false;
  const levels = filter.split('/');
  return levels.every((l, i) => (l.includes('#') ? l === '#' && i === levels.length - 1 : !l.includes('+') || l === '+'));
}
