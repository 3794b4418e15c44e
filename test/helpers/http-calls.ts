import type { HttpStack, StackTokens } from './http-stack';

/**
 * Requests to a test stack as its people make them: `call` the API with a role's token (JSON in
 * and out), `page` a page with the token as the sign-in cookie, `post` a page's form (URL-encoded,
 * optionally from another origin) without following the redirect.
 */
export function httpCalls(stack: HttpStack) {
  const call = async (caller: keyof StackTokens, method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown) => {
    const response = await fetch(`${stack.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${stack.tokens[caller]}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the JSON they expect
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
  };
  const page = (who: keyof StackTokens, path: string) =>
    fetch(`${stack.url}${path}`, { headers: { cookie: `arshjul_token=${stack.tokens[who]}` }, redirect: 'manual' });
  const post = (who: keyof StackTokens, path: string, fields: Record<string, string>, origin?: string) =>
    fetch(`${stack.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: `arshjul_token=${stack.tokens[who]}`,
        'content-type': 'application/x-www-form-urlencoded',
        ...(origin && { origin }),
      },
      body: new URLSearchParams(fields).toString(),
    });
  return { call, page, post };
}
