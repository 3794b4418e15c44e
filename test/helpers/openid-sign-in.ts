/**
 * A person signing in at an OpenID provider's login form, driven with fetch and a cookie jar
 * (no browser): follows the provider's redirects from an authorization URL through its login
 * form to the relying party's redirect URI, and stops there without calling the relying party.
 */

/** Cookies by name, as a browser would send them back to one host (paths ignored: loopback tests). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => {
        const [key = '', val = ''] = a.split('=').map((s) => s.trim());
        if (key.toLowerCase() === 'max-age') return Number(val) <= 0;
        if (key.toLowerCase() === 'expires') return Date.parse(val) < Date.now();
        return false;
      });
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface SignInResult {
  /** The URL the provider sent the browser back to (the relying party's redirect URI with code and state), if it did. */
  callbackUrl?: URL;
  /** The last page the provider showed instead (the login form again, an error page). */
  page?: { status: number; html: string; url: string };
}

/** Follows redirects by hand (keeping cookies) until the relying party's redirect URI or a page. */
export async function follow(
  start: URL | string,
  jar: CookieJar,
  redirectUri: string,
  init: RequestInit = {},
): Promise<SignInResult> {
  let url = new URL(start);
  let request: RequestInit = init;
  for (let hop = 0; hop < 20; hop++) {
    if (url.href.startsWith(redirectUri)) return { callbackUrl: url };
    const response = await fetch(url, {
      ...request,
      redirect: 'manual',
      headers: { ...(request.headers as Record<string, string>), cookie: jar.header() },
    });
    jar.take(response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url);
      request = {};
      continue;
    }
    return { page: { status: response.status, html: await response.text(), url: url.href } };
  }
  throw new Error(`more than 20 redirects from ${String(start)}`);
}

/** Opens the authorization URL, fills in the login form and follows the provider back to the redirect URI. */
export async function signInAtProvider(
  authorizationUrl: URL,
  redirectUri: string,
  credentials: { username: string; password: string },
  jar = new CookieJar(),
): Promise<SignInResult & { loginForm?: string }> {
  const first = await follow(authorizationUrl, jar, redirectUri);
  if (first.callbackUrl || !first.page) return first; // already signed in at the provider
  const action = /<form method="post" action="([^"]+)"/.exec(first.page.html)?.[1];
  if (!action) return first;
  const result = await follow(new URL(action.replace(/&amp;/g, '&'), first.page.url), jar, redirectUri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(credentials).toString(),
  });
  return { ...result, loginForm: first.page.html };
}
