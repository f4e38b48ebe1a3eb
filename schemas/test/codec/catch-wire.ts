import { WireError } from '../../src/index';

/** The WireError `fn` throws; fails the test when it throws nothing or something else. */
export function catchWire(fn: () => unknown): WireError {
  try {
    fn();
  } catch (err) {
    if (err instanceof WireError) return err;
    throw err;
  }
  throw new Error('expected a WireError');
}
