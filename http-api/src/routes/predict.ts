/** POST /predict: the original contract, answered by a worker over MQTT. */
import type { FastifyInstance } from 'fastify';
import { DEFAULT_MAX_FRAMES, predictBodySchema, predictResultProperties, sequenceFromRows, WireError, type FeatureSequence, type PredictBody } from '@helen/schemas';
import { badRequest, unavailable } from '../errors';
import type { MqttLink } from '../mqtt/link';

const resultSchema = {
  type: 'object',
  required: ['prediction', 'probabilities', 'top_index', 'top_probability', 'elapsed_ms'],
  properties: predictResultProperties,
} as const;

export function predictRoute(app: FastifyInstance, link: MqttLink): void {
  app.post<{ Body: PredictBody }>('/predict', {
    schema: { body: predictBodySchema, response: { 200: resultSchema } },
  }, async (req) => {
    // The schema checked the shape; sizes against the model are checked here.
    const seq = toSequence(req.body);
    // The parsed body (30 arrays of 84 numbers, ~20 KB) is done with, but `req` lives until the
    // answer is sent: under load a round trip outlives the young generation and the body would
    // be promoted with it. Letting go of it here keeps each in-flight request to its 10 KB window.
    req.body = undefined as unknown as PredictBody;
    const meta = link.state().metadata;
    if (!meta) throw unavailable('no model metadata yet: no inference worker has come online');
    if (seq.featureDim !== meta.feature_dim) {
      throw badRequest(`expected ${meta.feature_dim} features per frame (feature_dim), got ${seq.featureDim}`);
    }
    // The response schema drops the envelope fields (v, id, trace).
    return link.predict(seq);
  });
}

function toSequence(body: PredictBody): FeatureSequence {
  const { sequence, mask } = body;
  if (sequence.length > DEFAULT_MAX_FRAMES) {
    throw badRequest(`'sequence' has ${sequence.length} frames, more than the limit ${DEFAULT_MAX_FRAMES}`);
  }
  if (mask !== undefined && mask.length !== sequence.length) {
    throw badRequest(`'mask' must be T x 2 with T = ${sequence.length} (the length of 'sequence'), got ${mask.length} rows`);
  }
  try {
    return sequenceFromRows(sequence, mask);
  } catch (err) {
    if (err instanceof WireError) throw badRequest(err.message);
    throw err;
  }
}
