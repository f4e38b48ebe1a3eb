/** profile-summary: self time per function and package from a V8 CPU profile, idle left out. */
import { describe, expect, it } from 'vitest';
import { areaOf, selfTime, type CpuProfile } from '../src/profile-summary';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('profile-summary', () => {
  it('names the package, Node module, bundle or repository file of a frame', () => {
    expect(areaOf(frame('_parse', 'file:///x/node_modules/secure-json-parse/index.js'))).toBe('secure-json-parse');
    expect(areaOf(frame('f', 'file:///x/node_modules/@fastify/cors/index.js'))).toBe('@fastify/cors');
    expect(areaOf(frame('emit', 'node:events'))).toBe('node:events');
    expect(areaOf(frame('predict', 'file:///x/dist/api.cjs'))).toBe('dist/api');
    expect(areaOf(frame('intake', 'file:///home/me/helen/inference-worker/src/intake.ts'))).toBe('inference-worker/src/intake.ts');
    expect(areaOf(frame('writev'))).toBe('(native)');
    expect(areaOf(frame('(garbage collector)'))).toBe('(garbage collector)');
  });

  it('adds each sample\'s time delta to its node, idle apart', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(idle)') },
        { id: 2, callFrame: frame('writev') },
        { id: 3, callFrame: frame('_parse', 'file:///x/node_modules/secure-json-parse/index.js', 16) },
        { id: 4, callFrame: frame('parse', 'file:///x/node_modules/secure-json-parse/index.js', 40) },
      ],
      samples: [1, 2, 3, 3, 4, 2, 1],
      timeDeltas: [500, 10, 20, 30, 5, 15, 100],
    };
    const s = selfTime(profile);
    expect(s.idleUs).toBe(600);
    expect(s.busyUs).toBe(80);
    expect(s.byFunction.get('writev ((native))')).toBe(25);
    expect(s.byFunction.get('_parse (secure-json-parse:17)')).toBe(50);
    expect(s.byArea.get('secure-json-parse')).toBe(55);
  });
});
