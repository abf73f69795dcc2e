/**
 * Devices: where the schema opts in (`x-sessiongen.devices`), the web integrations record with
 * each session the client it is used from — its user agent, its address and when it was last seen —
 * so that a user's sessions can be listed with their devices (`repository.sessionsOf`). The device
 * is kept beside the attributes as the reserved entry `#device`, never as an attribute of the app.
 */

/** A session's device, as stored. */
export interface SessionDevice {
  /** The `User-Agent` header (at most {@link MAX_USER_AGENT_LENGTH} characters), or null when the client sent none. */
  readonly userAgent: string | null;
  /** The client's IP address (behind proxies only with the integration's `trustProxy`), or null when unknown. */
  readonly address: string | null;
  /**
   * Epoch ms: when a request from this device last wrote the session, to the minute (or to the
   * repository's `touchInterval`, when that is longer).
   */
  readonly lastSeen: number;
}

/** What an integration knows of the client behind a request. */
export interface SessionClient {
  readonly userAgent?: string | undefined;
  readonly address?: string | undefined;
}

export const MAX_USER_AGENT_LENGTH = 256;
/** A device's `lastSeen` is rewritten with an access only once it is this old (ms): a minute's precision, no extra bytes per request. */
export const DEVICE_LAST_SEEN_PRECISION_MS = 60_000;
/** An IPv6 address with a zone index fits. */
export const MAX_ADDRESS_LENGTH = 64;

/** Control characters and lone surrogates, which not every store keeps: dropped from recorded text. */
const UNSAFE = /[\p{Cc}\p{Cs}]/gu;

/** Printable ASCII that starts and ends with a non-space: text `clip` leaves as it is (short enough). */
const CLEAN = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

function clip(value: string | undefined, max: number): string | null {
  if (typeof value !== 'string') return null;
  // The usual user agent and address: nothing to clean (checked without building new strings).
  if (value.length <= max && CLEAN.test(value)) return value;
  const clean = value.replace(UNSAFE, '').trim().slice(0, max);
  // Never end on half a surrogate pair.
  const safe = /[\ud800-\udbff]$/.test(clean) ? clean.slice(0, -1) : clean;
  return safe === '' ? null : safe;
}

/** The device a request's client makes, seen at `now`: text clipped and cleaned so every store keeps it. */
export function deviceOf(client: SessionClient, now: number): SessionDevice {
  return { userAgent: clip(client.userAgent, MAX_USER_AGENT_LENGTH), address: clip(client.address, MAX_ADDRESS_LENGTH), lastSeen: now };
}

/** Whether a device is the one a client makes (same user agent and address, whatever the time). */
export function sameDevice(device: SessionDevice | undefined, client: SessionClient): boolean {
  if (!device) return false;
  return device.userAgent === clip(client.userAgent, MAX_USER_AGENT_LENGTH) && device.address === clip(client.address, MAX_ADDRESS_LENGTH);
}

/** A stored device, or undefined when the stored value is not one (written by hand, or by something else). */
export function readDevice(value: unknown): SessionDevice | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { userAgent, address, lastSeen } = value as Record<string, unknown>;
  const text = (item: unknown, max: number) => item === null || (typeof item === 'string' && item.length <= max);
  if (!text(userAgent, MAX_USER_AGENT_LENGTH) || !text(address, MAX_ADDRESS_LENGTH) || !Number.isSafeInteger(lastSeen)) return undefined;
  return { userAgent: userAgent as string | null, address: address as string | null, lastSeen: lastSeen as number };
}
