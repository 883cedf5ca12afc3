/**
 * Whether an `If-None-Match` header matches `etag`. RFC 9110 §13.1.2 asks for the weak comparison
 * here, so `W/` prefixes are ignored on both sides.
 */
export function ifNoneMatchMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === wanted);
}

/**
 * How long a shared cache may keep a response, from its `Cache-Control`: `s-maxage` over `max-age`
 * (RFC 9111 §5.2.2.10), and undefined when it must not be stored (`no-store`, `private`) or names
 * no lifetime (this edge does not guess one heuristically).
 */
export function sharedMaxAgeSeconds(cacheControl: string | undefined): number | undefined {
  if (cacheControl === undefined) return undefined;
  const directives = new Map<string, string>();
  for (const part of cacheControl.split(',')) {
    const [name = '', value = ''] = part.trim().split('=', 2);
    directives.set(name.toLowerCase(), value.replace(/^"|"$/g, ''));
  }
  if (directives.has('no-store') || directives.has('private')) return undefined;
  const seconds = directives.get('s-maxage') ?? directives.get('max-age');
  return seconds !== undefined && /^\d+$/.test(seconds) ? Number(seconds) : undefined;
}
