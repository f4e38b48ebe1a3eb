/**
 * Topic names on the home broker. Home Assistant's discovery topics take only
 * [a-zA-Z0-9_-] in their node and object ids, so the device id and the labels are slugged.
 */

/** Letters without their accents, every other character outside [a-zA-Z0-9_-] as '_'. */
export function slug(text: string): string {
  const ascii = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  const s = ascii.replace(/[^a-zA-Z0-9_-]/g, '_');
  return s.length > 0 ? s : '_';
}

/** The discovery node id of a device: `helen_` + its id ('.' and ':' become '_'). */
export function nodeIdOf(deviceId: string): string {
  return `helen_${slug(deviceId)}`;
}

/**
 * One object id per label, in label order; a slug taken by an earlier label gets the
 * label's index appended, so two labels never share a discovery topic.
 */
export function labelObjectIds(labels: readonly string[]): string[] {
  const taken = new Set<string>();
  return labels.map((label, i) => {
    let id = `gesture_${slug(label)}`;
    if (taken.has(id)) id = `${id}_${i}`;
    taken.add(id);
    return id;
  });
}

export interface HomeTopics {
  /** Retained `online` / `offline` (last will). */
  availability: string;
  /** `{"event_type": "<label>", ...}` per gesture: the event entity's state topic. */
  events: string;
  /** The bare label per gesture: what the device triggers match. */
  actions: string;
  /** Home Assistant's birth and last will (`online` / `offline`). */
  haStatus: string;
  eventConfig: string;
  triggerConfig(objectId: string): string;
}

export function homeTopics(discoveryPrefix: string, deviceId: string): HomeTopics {
  const base = `helen/${deviceId}`;
  const node = nodeIdOf(deviceId);
  return {
    availability: `${base}/availability`,
    events: `${base}/gesture`,
    actions: `${base}/action`,
    haStatus: `${discoveryPrefix}/status`,
    eventConfig: `${discoveryPrefix}/event/${node}/gesture/config`,
    triggerConfig: (objectId) => `${discoveryPrefix}/device_automation/${node}/${objectId}/config`,
  };
}
