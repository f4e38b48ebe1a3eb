/**
 * The same users and rules on our broker and on Mosquitto 2 (`password_file` made with
 * mosquitto_passwd, `acl_file` from `toMosquittoAcl`): what each client can publish and receive
 * must be the same. Known differences in return codes are asserted per broker (see
 * broker/mosquitto/README.md). Mosquitto runs only where installed (a visible warning otherwise).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions } from 'mqtt';
import { pino } from 'pino';
import { createTopics } from '@helen/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthHooks } from '../src/auth/hooks';
import { parseAcl } from '../src/auth/acl';
import { toMosquittoAcl } from '../src/auth/mosquitto';
import { hashPassword, type Role, type UserEntry } from '../src/auth/users-file';
import { DEFAULT_ACL_FILE } from '../src/config';
import { brokerKinds, mosquittoBin, startTestBroker, type TestBroker, type TestBrokerKind } from '../src/testing';
import { connectRecorder, settle, subackCodes, type Recorder } from './helpers';

const USERS: [string, Role][] = [['pi-a', 'device'], ['pi-b', 'device'], ['worker-1', 'worker'], ['facade', 'api'], ['mon', 'monitor']];
const password = (name: string) => `pw-of-${name}-x9`;
const T = createTopics('helen/v1');
const acl = parseAcl(readFileSync(DEFAULT_ACL_FILE, 'utf8'), DEFAULT_ACL_FILE);
const passwd = join(mosquittoBin(), '..', '..', 'bin', 'mosquitto_passwd');
const mosquittoPasswd = ['/usr/bin/mosquitto_passwd', passwd].find((p) => existsSync(p));

const kinds = brokerKinds().filter((k) => k === 'aedes' || mosquittoPasswd !== undefined);
if (kinds.length < 2) console.warn('mosquitto (or mosquitto_passwd) not installed: the ACL runs on aedes only');

async function start(kind: TestBrokerKind, dir: string): Promise<TestBroker> {
  if (kind === 'aedes') {
    const users = new Map<string, UserEntry>();
    for (const [name, role] of USERS) users.set(name, { name, role, hash: await hashPassword(password(name), { N: 1024, r: 8, p: 1, keylen: 32 }) });
    return startTestBroker('aedes', { hooks: createAuthHooks({ users, acl, allowAnonymous: false, log: pino({ level: 'silent' }) }) });
  }
  const pwFile = join(dir, 'passwd');
  writeFileSync(pwFile, '');
  // Test-only: mosquitto_passwd -b takes the password in argv.
  for (const [name] of USERS) execFileSync(mosquittoPasswd!, ['-b', pwFile, name, password(name)]);
  const aclFile = join(dir, 'acl');
  writeFileSync(aclFile, toMosquittoAcl(acl, USERS.map(([name, role]) => ({ name, role }))).text);
  // Mosquitto started as root drops to its own user, which must be able to read both files.
  chmodSync(dir, 0o755);
  chmodSync(pwFile, 0o644);
  chmodSync(aclFile, 0o644);
  return startTestBroker('mosquitto', { mosquittoConfig: ['allow_anonymous false', `password_file ${pwFile}`, `acl_file ${aclFile}`] });
}

describe.each(kinds)('%s with the Helen ACL', (kind) => {
  let broker: TestBroker;
  const dir = mkdtempSync(join(tmpdir(), 'helen-auth-mosq-'));
  const recorders: Recorder[] = [];
  beforeAll(async () => { broker = await start(kind, dir); });
  afterAll(async () => {
    await Promise.all(recorders.map((r) => r.client.endAsync(true)));
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const as = async (name: string) => {
    const r = await connectRecorder(broker.url, { username: name, password: password(name) });
    recorders.push(r);
    return r;
  };
  const connack = (opts: IClientOptions) => new Promise<number>((resolve) => {
    const c = mqtt.connect(broker.url, { reconnectPeriod: 0, protocolVersion: 4, ...opts });
    c.once('connect', () => { c.end(); resolve(0); });
    c.once('error', (e) => { c.end(true); resolve((e as Error & { code: number }).code); });
  });

  it('checks passwords and refuses anonymous clients', async () => {
    expect(await connack({ username: 'pi-a', password: password('pi-a') })).toBe(0);
    expect(await connack({ username: 'pi-a', password: 'wrong' })).toBe(kind === 'aedes' ? 4 : 5);
    expect(await connack({ username: 'nobody', password: 'wrong' })).toBe(kind === 'aedes' ? 4 : 5);
    expect(await connack({})).toBe(5);
  });

  it('lets each role publish and receive exactly what the ACL says', async () => {
    const mon = await as('mon');
    const a = await as('pi-a');
    const b = await as('pi-b');
    const worker = await as('worker-1');
    const facade = await as('facade');
    await mon.client.subscribeAsync('helen/#', { qos: 1 });
    const bCodes = await subackCodes(b.client, {
      [T.predictions('pi-a')]: { qos: 1 }, [T.gestures('pi-a')]: { qos: 1 }, [T.predictions('pi-b')]: { qos: 1 },
    });
    const refused = kind === 'aedes' ? 128 : 1; // Mosquitto 2.0.11 grants, then delivers nothing unreadable
    expect(bCodes).toEqual({ [T.predictions('pi-a')]: refused, [T.gestures('pi-a')]: refused, [T.predictions('pi-b')]: 1 });
    expect(await subackCodes(worker.client, { [T.workerPredictSubscription()]: { qos: 1 } })).toEqual({ [T.workerPredictSubscription()]: 1 });
    expect(await subackCodes(a.client, { '$share/x/helen/v1/devices/+/predict': { qos: 1 } }))
      .toEqual({ '$share/x/helen/v1/devices/+/predict': refused });
    await a.client.subscribeAsync(T.predictions('pi-a'), { qos: 1 });
    await facade.client.subscribeAsync(T.apiReplies('api-1'), { qos: 1 });

    // Allowed traffic.
    await a.client.publishAsync(T.predict('pi-a'), 'req-a', { qos: 1 });
    await a.client.publishAsync(T.gestures('pi-a'), 'gesture-a', { qos: 1 });
    await facade.client.publishAsync(T.predict('http-api'), 'req-api', { qos: 1 });
    await worker.client.publishAsync(T.predictions('pi-a'), 'reply-a', { qos: 1 });
    await worker.client.publishAsync(T.apiReplies('api-1'), 'reply-api', { qos: 1 });
    // Refused traffic: dropped, the publishers stay connected.
    await a.client.publishAsync(T.predict('pi-b'), 'forged-by-a', { qos: 1 });
    await a.client.publishAsync(T.predictions('pi-b'), 'forged-reply', { qos: 1 });
    await facade.client.publishAsync(T.modelMetadata(), 'forged-metadata', { qos: 1 });
    await mon.client.publishAsync(T.predict('pi-a'), 'monitor-write', { qos: 1 });

    await mon.waitFor(5);
    await worker.waitFor(2);
    await settle(300);
    const live = (r: Recorder) => r.messages.filter((m) => !m.retain).map((m) => m.payload).sort();
    expect(live(mon)).toEqual(['gesture-a', 'reply-a', 'reply-api', 'req-a', 'req-api']);
    expect(live(worker)).toEqual(['req-a', 'req-api']);
    expect(live(a)).toEqual(['reply-a']);
    expect(live(b)).toEqual([]);
    expect(live(facade)).toEqual(['reply-api']);
    for (const r of [a, b, worker, facade, mon]) expect(r.client.connected).toBe(true);
  });
});
