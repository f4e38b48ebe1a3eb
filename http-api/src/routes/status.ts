/** GET /health and GET /metadata, both answered from what the MQTT link has seen. */
import type { FastifyInstance } from 'fastify';
import type { MqttLink } from '../mqtt/link';

export function statusRoutes(app: FastifyInstance, link: MqttLink): void {
  app.get('/health', async (_req, reply) => {
    const { connected, workers, metadata } = link.state();
    const fields = { broker: connected ? 'connected' : 'disconnected', workers: workers.length };
    let reason: string | undefined;
    if (!connected) reason = 'MQTT broker unreachable';
    else if (workers.length === 0) reason = 'no inference worker online';
    else if (!metadata) reason = 'no model metadata yet';
    if (reason !== undefined || !metadata) {
      return reply.code(503).send({ status: 'unavailable', reason, ...fields });
    }
    return { status: 'ok', classes: metadata.num_classes, ...fields, model: metadata.model_id };
  });

  app.get('/metadata', async (_req, reply) => {
    const { metadata } = link.state();
    if (!metadata) return reply.code(503).send({ error: 'no model metadata yet: no inference worker has published it' });
    const { seq_len, use_z, num_classes, class_labels, feature_dim, ...rest } = metadata;
    // The original five fields first, then what the model file adds (model_id, input, ...).
    return { seq_len, use_z, num_classes, class_labels, feature_dim, ...rest };
  });
}
