import ort from 'onnxruntime-node';
import type { InferenceEngine } from './engine';
import { sessionOptions, type OrtSettings } from './ort-options';

/** The session on the calling (main) thread: no copies, but run() blocks the event loop. */
export async function openMainThreadEngine(modelPath: string, settings: OrtSettings): Promise<InferenceEngine> {
  const session = await ort.InferenceSession.create(modelPath, sessionOptions(settings));
  return {
    kind: 'main',
    session: {
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      inputMetadata: session.inputMetadata,
      outputMetadata: session.outputMetadata,
    },
    async run(input, dims, inputName, outputName) {
      const feeds = { [inputName]: new ort.Tensor('float32', input, [...dims]) };
      const out = await session.run(feeds, [outputName]);
      const tensor = out[outputName];
      if (!tensor || !(tensor.data instanceof Float32Array)) throw new Error(`model output "${outputName}" is missing or not float32`);
      return { output: tensor.data, dims: tensor.dims };
    },
    onFailure() {
      // Nothing outlives a run on the main thread: a failure is that run's error.
    },
    async close() {
      await session.release();
    },
  };
}
