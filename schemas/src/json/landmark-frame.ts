/** One line of a recording (JSON Lines): what MediaPipe HandLandmarker saw in one camera frame. */
export const landmarkSchema = {
  type: 'array',
  description: '[x, y, z] in normalized image coordinates (x, y in 0..1 of width/height; z relative depth).',
  items: { type: 'number' },
  minItems: 3,
  maxItems: 3,
} as const;

export const handSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['handedness', 'score', 'landmarks'],
  properties: {
    handedness: { type: 'string', enum: ['Left', 'Right'] },
    score: { type: 'number', minimum: 0, maximum: 1 },
    landmarks: { type: 'array', items: landmarkSchema, minItems: 21, maxItems: 21 },
  },
} as const;

export const landmarkFrameSchema = {
  $id: 'https://helen.local/schemas/landmark-frame.json',
  title: 'LandmarkFrame',
  type: 'object',
  additionalProperties: false,
  required: ['ts', 'hands'],
  properties: {
    ts: { type: 'number', description: 'Capture time, epoch milliseconds.' },
    hands: { type: 'array', items: handSchema, maxItems: 2 },
    label: { type: 'string', description: 'Class label of a recorded sign (record mode); absent at run time.' },
    source: { type: 'string', description: 'Where the frame came from: camera, synthetic, replay.' },
  },
} as const;
