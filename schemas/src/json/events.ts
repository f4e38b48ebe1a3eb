/** What the local UI backend receives for a detected gesture (original payload plus optional fields). */
export const gestureEventSchema = {
  $id: 'https://helen.local/schemas/gesture-event.json',
  title: 'GestureEvent',
  type: 'object',
  required: ['gesture', 'character', 'score', 'timestamp', 'session_id', 'sequence', 'source'],
  properties: {
    gesture: { type: 'string' },
    character: { type: 'string' },
    score: { type: 'number' },
    timestamp: { type: 'string', format: 'date-time' },
    session_id: { type: 'string' },
    sequence: { type: 'integer', minimum: 0 },
    source: { type: 'string' },
    device: { type: 'string' },
    served_by: { type: 'string', enum: ['cloud', 'edge', 'http'], description: 'Which inference path produced the prediction.' },
  },
} as const;

/** Retained availability message of a worker, device or facade (Zigbee2MQTT style). */
export const statusMessageSchema = {
  $id: 'https://helen.local/schemas/status-message.json',
  title: 'StatusMessage',
  type: 'object',
  required: ['state'],
  properties: {
    state: { type: 'string', enum: ['online', 'offline', 'draining'] },
    id: { type: 'string' },
    role: { type: 'string', enum: ['worker', 'device', 'api'] },
    model: { type: 'string' },
    ts: { type: 'number', description: 'Epoch ms when the status was published (absent in a last will).' },
  },
} as const;
