/** Model metadata: written beside the ONNX file and published retained on helen/v1/model/metadata. */
export const modelMetadataSchema = {
  $id: 'https://helen.local/schemas/model-metadata.json',
  title: 'ModelMetadata',
  type: 'object',
  required: ['name', 'model_id', 'sha256', 'seq_len', 'use_z', 'feature_dim', 'num_classes', 'class_labels', 'input', 'output'],
  properties: {
    name: { type: 'string', minLength: 1 },
    model_id: { type: 'string', description: '<name>@<first 12 hex of sha256>' },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'sha256 of the ONNX file.' },
    seq_len: { type: 'integer', minimum: 1 },
    use_z: { type: 'boolean' },
    feature_dim: { type: 'integer', minimum: 1 },
    num_classes: { type: 'integer', minimum: 1 },
    class_labels: { type: 'array', items: { type: 'string' }, minItems: 1 },
    input: {
      type: 'object',
      required: ['name', 'shape'],
      properties: {
        name: { type: 'string' },
        shape: { type: 'array', items: { type: ['string', 'integer'] }, description: '["batch", "time", feature_dim]' },
      },
    },
    output: {
      type: 'object',
      required: ['name', 'kind'],
      properties: {
        name: { type: 'string' },
        kind: { type: 'string', enum: ['logits', 'probabilities'] },
      },
    },
    architecture: { type: 'object', description: 'The checkpoint config (input_dim, hidden_dim, num_layers, ...).' },
    provenance: { type: 'object', description: 'Where the weights came from: training data, seed, command, date.' },
  },
} as const;
