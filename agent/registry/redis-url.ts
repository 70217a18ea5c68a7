/** True for a URL the Redis registry store can connect to: `redis://` or `rediss://` with a host. */
export function isRedisUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '' && url.search === '' && url.hash === '';
}

/** `value` with any password replaced by `***`, for logs and error messages. */
export function redactRedisUrl(value: string): string {
  if (!URL.canParse(value)) return value.replace(/:[^:@/]*@/, ':***@');
  const url = new URL(value);
  if (url.password === '') return value;
  url.password = '***';
  return url.toString();
}
