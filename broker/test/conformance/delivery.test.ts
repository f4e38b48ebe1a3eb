import { describe, expect, test } from 'vitest';
import { filterMatches, grantedQos } from '../../src/protocol/delivery';

describe('topic filter matching used for the granted QoS [MQTT-4.7]', () => {
  test.each([
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/+/c', 'a//c', true],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['#', 'a/b', true],
    ['+', 'a/b', false],
    ['a/b', 'a/b/c', false],
    ['a/b/c', 'a/b', false],
    ['#', '$SYS/x', false],
    ['+/x', '$SYS/x', false],
    ['$SYS/#', '$SYS/x', true],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(filterMatches(filter, topic)).toBe(expected);
  });

  test('grantedQos takes the highest QoS among matching subscriptions, undefined when none matches', () => {
    const subs = { 'a/#': { qos: 0 }, 'a/+': { qos: 2 }, 'b/c': { qos: 1 } };
    expect(grantedQos(subs, 'a/x')).toBe(2);
    expect(grantedQos(subs, 'a/x/y')).toBe(0);
    expect(grantedQos(subs, 'b/c')).toBe(1);
    expect(grantedQos(subs, 'c')).toBeUndefined();
  });
});
