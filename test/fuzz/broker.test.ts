/**
 * The broker under random and malformed MQTT packets over raw TCP (a real aedes broker with
 * our limits and conformance checks): violations close the connection, nothing takes the
 * broker down, and a normal client still connects, publishes and receives afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBroker } from '@helen/broker/testing';
import { brokerProperty, brokerServes, startConformanceBroker } from './broker-targets';
import { CI_RUNS, FUZZ_SEED } from './settings';
import { Tally } from './tally';

describe('fuzz: MQTT broker', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startConformanceBroker('aedes');
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('closes connections that break the protocol and keeps serving', async () => {
    const tally = new Tally('broker');
    await fc.assert(brokerProperty(() => broker, tally), { seed: FUZZ_SEED, numRuns: CI_RUNS.broker });
    expect(tally.crashes).toEqual([]);
    expect(tally.refused.get('closed by the broker (violation)')).toBeGreaterThan(0);
    expect(await brokerServes(broker.url)).toBe(true);
  });
});
