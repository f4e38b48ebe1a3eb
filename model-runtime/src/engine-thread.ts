import { Worker } from 'node:worker_threads';
import type { EngineResult, InferenceEngine, SessionInfo } from './engine';
import { sessionOptions, type OrtSettings } from './ort-options';

type FromThread =
  | { type: 'ready'; session: SessionInfo }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; output: ArrayBuffer; dims: number[] }
  | { type: 'error'; id: number; message: string };

interface Pending {
  resolve(r: EngineResult): void;
  reject(err: Error): void;
}

const THREAD_URL = new URL('./ort-thread.mjs', import.meta.url);

/**
 * The session in a worker_threads thread of the worker process: the main event loop keeps
 * reading MQTT, decoding and queueing while a batch computes, at the cost of moving each
 * batch's buffers between threads (transferred, not copied).
 */
export function openWorkerThreadEngine(modelPath: string, settings: OrtSettings): Promise<InferenceEngine> {
  const thread = new Worker(THREAD_URL, { workerData: { modelPath, options: sessionOptions(settings) } });
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let dead: Error | undefined;
  let closing = false;
  const failureListeners: ((err: Error) => void)[] = [];

  const failAll = (err: Error): void => {
    const first = dead === undefined;
    dead ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    if (first && !closing) for (const l of failureListeners) l(err);
  };

  return new Promise<InferenceEngine>((resolve, reject) => {
    thread.on('error', (err) => {
      failAll(err);
      reject(err);
    });
    thread.on('exit', (code) => {
      const err = new Error(`inference thread exited (code ${code})`);
      failAll(err);
      reject(err);
    });
    thread.on('message', (msg: FromThread) => {
      switch (msg.type) {
        case 'ready':
          resolve(engine(msg.session));
          break;
        case 'failed':
          reject(new Error(msg.message));
          void thread.terminate();
          break;
        case 'result': {
          const p = pending.get(msg.id);
          pending.delete(msg.id);
          p?.resolve({ output: new Float32Array(msg.output), dims: msg.dims });
          break;
        }
        case 'error': {
          const p = pending.get(msg.id);
          pending.delete(msg.id);
          p?.reject(new Error(msg.message));
          break;
        }
      }
    });
  });

  function engine(session: SessionInfo): InferenceEngine {
    return {
      kind: 'worker-thread',
      session,
      run(input, dims, inputName, outputName) {
        if (dead) return Promise.reject(dead);
        const id = nextId++;
        // Transfer needs a buffer of exactly this tensor.
        const owned = input.byteOffset === 0 && input.byteLength === input.buffer.byteLength ? input : input.slice();
        return new Promise<EngineResult>((res, rej) => {
          pending.set(id, { resolve: res, reject: rej });
          thread.postMessage({ type: 'run', id, input: owned.buffer, dims: [...dims], inputName, outputName }, [owned.buffer as ArrayBuffer]);
        });
      },
      onFailure(listener) {
        failureListeners.push(listener);
      },
      async close() {
        closing = true;
        if (dead) return;
        const exited = new Promise<void>((res) => thread.once('exit', () => res()));
        thread.postMessage({ type: 'close' });
        // A session that will not release must not hold up shutdown.
        const timer = setTimeout(() => void thread.terminate(), 2000);
        await exited;
        clearTimeout(timer);
      },
    };
  }
}
