/**
 * Home Assistant MQTT discovery payloads (single-component discovery), built from the
 * documented options of the `event` entity and of MQTT device triggers:
 *   https://www.home-assistant.io/integrations/event.mqtt/
 *   https://www.home-assistant.io/integrations/device_trigger.mqtt/
 * One event entity whose event_types are the model's labels, and one device trigger per label
 * (type `gesture`, subtype the label), all on one device.
 */
import { homeTopics, labelObjectIds, nodeIdOf, type HomeTopics } from './topics';

export interface DiscoveryInput {
  deviceId: string;
  discoveryPrefix: string;
  /** The model's class labels, in index order. */
  labels: readonly string[];
  /** The edge's version (device sw_version, origin sw_version). */
  version: string;
  /** The model id ("name@sha"), shown as the device's model id. */
  modelId?: string | undefined;
}

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

export const TRIGGER_TYPE = 'gesture';

function deviceBlock(input: DiscoveryInput): Record<string, unknown> {
  return {
    identifiers: [nodeIdOf(input.deviceId)],
    name: `Helen ${input.deviceId}`,
    manufacturer: 'Helen',
    model: 'Helen hand-sign display',
    ...(input.modelId ? { model_id: input.modelId } : {}),
    sw_version: input.version,
  };
}

function origin(input: DiscoveryInput): Record<string, unknown> {
  return { name: 'helen-edge', sw_version: input.version };
}

export function eventEntityConfig(input: DiscoveryInput, topics: HomeTopics = homeTopics(input.discoveryPrefix, input.deviceId)): Record<string, unknown> {
  return {
    name: 'Gesture',
    unique_id: `${nodeIdOf(input.deviceId)}_gesture`,
    state_topic: topics.events,
    event_types: [...input.labels],
    icon: 'mdi:hand-wave',
    qos: 1,
    availability_topic: topics.availability,
    payload_available: 'online',
    payload_not_available: 'offline',
    device: deviceBlock(input),
    origin: origin(input),
  };
}

export function deviceTriggerConfig(input: DiscoveryInput, label: string, topics: HomeTopics = homeTopics(input.discoveryPrefix, input.deviceId)): Record<string, unknown> {
  return {
    automation_type: 'trigger',
    type: TRIGGER_TYPE,
    subtype: label,
    topic: topics.actions,
    payload: label,
    qos: 1,
    device: deviceBlock(input),
    origin: origin(input),
  };
}

/** Every discovery config of the device: the event entity first, then one trigger per label. */
export function discoveryMessages(input: DiscoveryInput): DiscoveryMessage[] {
  const topics = homeTopics(input.discoveryPrefix, input.deviceId);
  const ids = labelObjectIds(input.labels);
  return [
    { topic: topics.eventConfig, payload: eventEntityConfig(input, topics) },
    ...input.labels.map((label, i) => ({ topic: topics.triggerConfig(ids[i] as string), payload: deviceTriggerConfig(input, label, topics) })),
  ];
}
