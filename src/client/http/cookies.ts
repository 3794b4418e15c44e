/**
 * The Set-Cookie values of Årshjul's own cookies, written in one place: each HttpOnly on the whole
 * site, Secure when the site is served over https. A key's cookie is SameSite=Strict; a person's
 * session and the sign-in under way are Lax, since the provider sends the browser back with a
 * top-level GET from its own site.
 */
export function setCookie(
  name: string,
  value: string,
  options: { sameSite: 'Strict' | 'Lax'; secure: boolean; maxAge?: number },
): string {
  return [
    `${name}=${value}`,
    'HttpOnly',
    `SameSite=${options.sameSite}`,
    'Path=/',
    ...(options.maxAge !== undefined ? [`Max-Age=${options.maxAge}`] : []),
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** Tells the browser to drop a cookie now. */
export function clearCookie(name: string, sameSite: 'Strict' | 'Lax', secure = false): string {
  return setCookie(name, '', { sameSite, secure, maxAge: 0 });
}
