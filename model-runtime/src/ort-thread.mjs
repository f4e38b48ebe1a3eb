// Body of the inference thread (plain JS so it loads in any runtime: tsx, vitest, node).
// Owns one InferenceSession; the parent sends run requests, the input buffers are transferred
// in and the output buffers transferred back, so no tensor is copied through postMessage.
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';

const { modelPath, options } = workerData;

try {
  const session = await ort.InferenceSession.create(modelPath, options);
  parentPort.on('message', (msg) => {
    if (msg.type === 'close') {
      session.release().finally(() => parentPort.close());
      return;
    }
    const { id, input, dims, inputName, outputName } = msg;
    (async () => {
      const out = await session.run({ [inputName]: new ort.Tensor('float32', new Float32Array(input), dims) }, [outputName]);
      const tensor = out[outputName];
      if (!tensor || !(tensor.data instanceof Float32Array)) throw new Error(`model output "${outputName}" is missing or not float32`);
      // Own the bytes before transfer: the tensor may view a larger or shared buffer.
      const data = tensor.data.byteOffset === 0 && tensor.data.byteLength === tensor.data.buffer.byteLength
        ? tensor.data : tensor.data.slice();
      parentPort.postMessage({ type: 'result', id, output: data.buffer, dims: tensor.dims }, [data.buffer]);
    })().catch((err) => parentPort.postMessage({ type: 'error', id, message: err instanceof Error ? err.message : String(err) }));
  });
  parentPort.postMessage({
    type: 'ready',
    session: {
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      inputMetadata: JSON.parse(JSON.stringify(session.inputMetadata)),
      outputMetadata: JSON.parse(JSON.stringify(session.outputMetadata)),
    },
  });
} catch (err) {
  parentPort.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
