import { createRelyingParty, RelyingParty, SignInRefused } from '../../src/client/sign-in/openid-relying-party';
import { loadDevPeople, shippedDevPeoplePath } from '../../src/stack/dev-people';
import { OpenIdProvider, startOpenIdProvider } from '../../src/stack/openid-provider';
import { signInAtProvider } from '../helpers/openid-sign-in';

/**
 * Issue 13: Årshjul's side of OpenID Connect against the development provider (oidc-provider,
 * in its own process): the code flow with PKCE, state and nonce; the person's groups; a re-check
 * that sees changed groups and a disabled person; signing out at the provider.
 */
const people = loadDevPeople(shippedDevPeoplePath());
const REDIRECT = 'http://127.0.0.1:3998/logga-in/klar';
const AFTER_SIGN_OUT = 'http://127.0.0.1:3998/logga-in';
const SECRET = 'relying-party-test-secret-0123456789abcdef';

let provider: OpenIdProvider;
let rp: RelyingParty;

beforeAll(async () => {
  provider = await startOpenIdProvider({
    people,
    clients: [
      {
        client_id: 'arshjul',
        client_secret: SECRET,
        redirect_uris: [REDIRECT],
        post_logout_redirect_uris: [AFTER_SIGN_OUT],
        firstParty: true,
      },
    ],
  });
  rp = createRelyingParty({
    issuer: provider.issuer,
    clientId: 'arshjul',
    clientSecret: SECRET,
    redirectUrl: REDIRECT,
    postLogoutRedirectUrl: AFTER_SIGN_OUT,
    groupsClaim: 'groups',
  });
});

afterAll(async () => {
  await provider?.stop();
});

const person = (sub: string) => people.find((p) => p.sub === sub)!;

async function signIn(sub: string) {
  const started = await rp.startSignIn();
  const who = person(sub);
  const at = await signInAtProvider(started.url, REDIRECT, { username: who.email, password: who.password });
  if (!at.callbackUrl) throw new Error(`no callback: ${at.page?.html.slice(0, 300)}`);
  return { started, callbackUrl: at.callbackUrl };
}

describe("Årshjul's OpenID relying party", () => {
  it('asks with PKCE (S256), state and nonce, and learns who signed in with their groups', async () => {
    const { started, callbackUrl } = await signIn('dev-farsta-controller');
    const asked = started.url.searchParams;
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asked.get('state')).toBe(started.pending.state);
    expect(asked.get('nonce')).toBe(started.pending.nonce);
    expect(asked.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['openid', 'offline_access', 'groups']));

    const finished = await rp.finishSignIn(callbackUrl, started.pending);
    expect(finished.identity).toEqual({
      issuer: provider.issuer,
      subject: 'dev-farsta-controller',
      name: person('dev-farsta-controller').name,
      email: person('dev-farsta-controller').email,
      groups: ['arshjul-farsta-controller'],
    });
    expect(finished.refreshToken).toBeDefined();
    expect(finished.idToken).toBeDefined();
  });

  it('refuses a callback whose state, nonce or PKCE verifier is not the one it started with', async () => {
    for (const wrong of ['state', 'codeVerifier', 'nonce'] as const) {
      const { started, callbackUrl } = await signIn('dev-slk-controller');
      const pending = { ...started.pending, [wrong]: `${started.pending[wrong]}x` };
      await expect(rp.finishSignIn(callbackUrl, pending)).rejects.toBeInstanceOf(SignInRefused);
    }
  });

  it('sees changed groups at a re-check, and is refused once the person is disabled', async () => {
    const sub = 'dev-farsta-handlaggare';
    const { started, callbackUrl } = await signIn(sub);
    const finished = await rp.finishSignIn(callbackUrl, started.pending);
    await provider.updatePerson(sub, { groups: ['arshjul-farsta-controller', 'unrelated'] });
    const again = await rp.recheck(finished.refreshToken!, sub);
    expect(again.identity.groups).toEqual(['arshjul-farsta-controller', 'unrelated']);
    // Another person's subject is not accepted for the same token.
    await expect(rp.recheck(again.refreshToken ?? finished.refreshToken!, 'dev-slk-controller')).rejects.toBeInstanceOf(
      SignInRefused,
    );

    const { started: s2, callbackUrl: c2 } = await signIn('dev-farsta-forvaltningschef');
    const chef = await rp.finishSignIn(c2, s2.pending);
    await provider.updatePerson('dev-farsta-forvaltningschef', { disabled: true });
    await expect(rp.recheck(chef.refreshToken!, 'dev-farsta-forvaltningschef')).rejects.toBeInstanceOf(SignInRefused);
  });

  it('signs out at the provider with the ID token as hint, back to the sign-in page', async () => {
    const url = await rp.signOutUrl('an-id-token');
    expect(url).toBeDefined();
    expect(url!.searchParams.get('id_token_hint')).toBe('an-id-token');
    expect(url!.searchParams.get('post_logout_redirect_uri')).toBe(AFTER_SIGN_OUT);
    expect(url!.href.startsWith(provider.issuer)).toBe(true);
  });

  it('refuses plain HTTP to a provider that is not on loopback', () => {
    expect(() =>
      createRelyingParty({
        issuer: 'http://login.example.se',
        clientId: 'x',
        clientSecret: 'y',
        redirectUrl: REDIRECT,
        postLogoutRedirectUrl: AFTER_SIGN_OUT,
        groupsClaim: 'groups',
      }),
    ).toThrow(/https/);
  });
});
