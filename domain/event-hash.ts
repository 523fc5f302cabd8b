/**
 * The fingerprint of an event's content, so that an event id reused with other content is told
 * apart from a duplicate: the same on both sides of Temporal (the workflow that records it, the
 * gateway that reads its answer). Who sent the event and when it arrived are not its content.
 */
export function eventHash(kind: string, event: object): string {
  const { eventId: _id, actor: _actor, receivedAt: _received, ...content } = event as Record<string, unknown>;
  return `${kind}:${cyrb53(canonical(content)).toString(36)}`;
}

/** JSON with keys sorted at every level: equal contents give equal text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** A 53-bit string hash (cyrb53): fast, well spread, and a number JavaScript holds exactly. */
function cyrb53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
