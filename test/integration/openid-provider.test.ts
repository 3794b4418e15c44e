import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import { freePort } from '../../src/stack/free-port';
import { loadDevPeople, shippedDevPeoplePath } from '../../src/stack/dev-people';
import { OpenIdProvider, startOpenIdProvider } from '../../src/stack/openid-provider';
import { CookieJar, follow, signInAtProvider } from '../helpers/openid-sign-in';

// The development OpenID provider in its own process, with the shipped people, driven as
// Årshjul's relying party will drive it: openid-client v6, authorization code with PKCE.

const people = loadDevPeople(shippedDevPeoplePath());
const person = (sub: string) => people.find((p) => p.sub === sub)!;
const REDIRECT_URI = 'http://127.0.0.1:3999/logga-in/klar';
const POST_LOGOUT_URI = 'http://127.0.0.1:3999/utloggad';
const CLIENT = { id: 'arshjul', secret: 'dev-secret-for-tests-only-0123456789' };
const POST_CLIENT = { id: 'arshjul-post', secret: 'another-dev-secret-for-tests-9876543210' };
const SCOPE = 'openid profile email groups offline_access';

let provider: OpenIdProvider;
let config: client.Configuration;

beforeAll(async () => {
  provider = await startOpenIdProvider({
    people,
    clients: [
      {
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
        client_name: 'Årshjul',
        redirect_uris: [REDIRECT_URI],
        post_logout_redirect_uris: [POST_LOGOUT_URI],
        firstParty: true,
      },
      {
        client_id: POST_CLIENT.id,
        client_secret: POST_CLIENT.secret,
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'client_secret_post',
        firstParty: true,
      },
    ],
  });
  config = await discover(CLIENT.id, client.ClientSecretBasic(CLIENT.secret));
});

afterAll(async () => {
  await provider?.stop();
});

function discover(clientId: string, auth: client.ClientAuth): Promise<client.Configuration> {
  // Plain HTTP is allowed on loopback only; a real provider is reached over HTTPS.
  return client.discovery(new URL(provider.issuer), clientId, undefined, auth, {
    execute: [client.allowInsecureRequests],
  });
}

/** Signs a person in from the start; returns the tokens or what the provider showed instead. */
async function signIn(
  username: string,
  password: string,
  options: { configuration?: client.Configuration; jar?: CookieJar } = {},
) {
  const configuration = options.configuration ?? config;
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const result = await signInAtProvider(url, REDIRECT_URI, { username, password }, options.jar);
  if (!result.callbackUrl) return { ...result, tokens: undefined };
  const tokens = await client.authorizationCodeGrant(configuration, result.callbackUrl, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    idTokenExpected: true,
  });
  return { ...result, tokens };
}

async function refreshError(refreshToken: string): Promise<unknown> {
  try {
    await client.refreshTokenGrant(config, refreshToken);
  } catch (error) {
    return error;
  }
  throw new Error('the refresh was not refused');
}

describe('the development OpenID provider', () => {
  it('publishes a discovery document with code + PKCE (S256), the groups scope and claim, and end-session', async () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(provider.issuer);
    expect(provider.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email', 'groups', 'offline_access']),
    );
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(['sub', 'name', 'email', 'groups']));
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post']),
    );
    expect(metadata.end_session_endpoint).toBe(`${provider.issuer}/session/end`);
    expect(metadata.userinfo_endpoint).toBeDefined();
  });

  it('signs a person in with authorization code + PKCE: the ID token and userinfo carry the person and groups', async () => {
    const johan = person('dev-farsta-controller');
    const { tokens, loginForm } = await signIn(johan.email, johan.password);
    expect(loginForm).toContain('<html lang="sv">');
    expect(loginForm).toContain('Lösenord');
    expect(tokens).toBeDefined();
    expect(tokens!.claims()).toMatchObject({
      iss: provider.issuer,
      aud: CLIENT.id,
      sub: 'dev-farsta-controller',
      name: 'Johan Ek',
      email: 'johan.ek@stockholm.example',
      email_verified: true,
      groups: ['arshjul-farsta-controller'],
    });
    expect(tokens!.refresh_token).toEqual(expect.any(String));
    expect(tokens!.scope?.split(' ')).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'groups']));
    const userinfo = await client.fetchUserInfo(config, tokens!.access_token, 'dev-farsta-controller');
    expect(userinfo).toMatchObject({
      sub: 'dev-farsta-controller',
      name: 'Johan Ek',
      groups: ['arshjul-farsta-controller'],
    });
  });

  it('takes the sub as the user name, and client_secret_post for a client registered so', async () => {
    const sara = person('dev-slk-controller');
    const postConfig = await discover(POST_CLIENT.id, client.ClientSecretPost(POST_CLIENT.secret));
    const { tokens } = await signIn(sara.sub, sara.password, { configuration: postConfig });
    expect(tokens!.claims()).toMatchObject({ sub: sara.sub, aud: POST_CLIENT.id, groups: ['arshjul-slk'] });
  });

  it('refuses an authorization request without PKCE', async () => {
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: SCOPE, state: 'x' });
    const { callbackUrl } = await follow(url, new CookieJar(), REDIRECT_URI);
    expect(callbackUrl?.searchParams.get('error')).toBe('invalid_request');
    expect(callbackUrl?.searchParams.get('error_description')).toMatch(/requires PKCE/);
  });

  it('shows the form again with a Swedish message on a wrong password, and nothing else', async () => {
    const elin = person('dev-farsta-handlaggare');
    const jar = new CookieJar();
    const wrong = await signIn(elin.email, 'fel-lösenord', { jar });
    expect(wrong.callbackUrl).toBeUndefined();
    expect(wrong.page?.status).toBe(401);
    expect(wrong.page?.html).toContain('Fel e-postadress eller lösenord.');
    expect(wrong.page?.html).toContain(`value="${elin.email}"`);
    expect(wrong.page?.html).not.toContain('fel-lösenord');
    const unknown = await signIn('ingen@stockholm.example', elin.password);
    expect(unknown.page?.html).toContain('Fel e-postadress eller lösenord.');

    // The same browser may try again on the same form.
    const action = /<form method="post" action="([^"]+)"/.exec(wrong.page!.html)![1]!;
    const again = await follow(new URL(action, wrong.page!.url), jar, REDIRECT_URI, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: elin.email, password: elin.password }).toString(),
    });
    expect(again.callbackUrl?.searchParams.get('code')).toEqual(expect.any(String));
  });

  it('refreshes with the groups the person has now at the provider', async () => {
    const maria = person('dev-farsta-forvaltningschef');
    const { tokens } = await signIn(maria.email, maria.password);
    expect(tokens!.claims()?.groups).toEqual(['arshjul-farsta-forvaltningschef']);

    await provider.updatePerson(maria.sub, { groups: ['arshjul-farsta-controller', 'arshjul-utskott'] });
    const refreshed = await client.refreshTokenGrant(config, tokens!.refresh_token!);
    expect(refreshed.claims()).toMatchObject({
      sub: maria.sub,
      groups: ['arshjul-farsta-controller', 'arshjul-utskott'],
    });
    const userinfo = await client.fetchUserInfo(config, refreshed.access_token, maria.sub);
    expect(userinfo.groups).toEqual(['arshjul-farsta-controller', 'arshjul-utskott']);

    await provider.updatePerson(maria.sub, { groups: [] });
    const again = await client.refreshTokenGrant(config, refreshed.refresh_token!);
    expect(again.claims()?.groups).toEqual([]);
  });

  it('refuses refresh, userinfo and sign-in for a person disabled at the provider', async () => {
    const lena = person('dev-utbildning-controller');
    const jar = new CookieJar();
    const { tokens } = await signIn(lena.email, lena.password, { jar });
    expect(tokens!.claims()?.groups).toEqual(['arshjul-utbildningsnamnden-controller']);

    await provider.updatePerson(lena.sub, { disabled: true });
    const error = await refreshError(tokens!.refresh_token!);
    expect(error).toMatchObject({ name: 'ResponseBodyError', error: 'invalid_grant' });
    await expect(client.fetchUserInfo(config, tokens!.access_token, lena.sub)).rejects.toMatchObject({
      name: 'WWWAuthenticateChallengeError',
    });
    const refused = await signIn(lena.email, lena.password);
    expect(refused.tokens).toBeUndefined();
    expect(refused.page?.html).toContain('Kontot är avstängt.');
    // Nor does her session at the provider sign her in again without the form.
    const withSession = await signIn(lena.email, lena.password, { jar });
    expect(withSession.loginForm).toBeDefined();
    expect(withSession.tokens).toBeUndefined();
    expect(withSession.page?.html).toContain('Kontot är avstängt.');

    await provider.updatePerson(lena.sub, { disabled: false });
    expect((await signIn(lena.email, lena.password)).tokens?.claims()?.sub).toBe(lena.sub);
  });

  it('refuses to change a person it does not know', async () => {
    await expect(provider.updatePerson('nobody', { disabled: true })).rejects.toThrow('no person with sub nobody');
  });

  it('ends the session at the provider when the relying party logs out (end_session_endpoint)', async () => {
    const karin = person('dev-stadshus-lasare');
    const jar = new CookieJar();
    const { tokens } = await signIn(karin.email, karin.password, { jar });
    const logoutUrl = client.buildEndSessionUrl(config, {
      id_token_hint: tokens!.id_token!,
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: 'utloggning',
    });
    const confirm = await follow(logoutUrl, jar, POST_LOGOUT_URI);
    expect(confirm.page?.html).toContain('Vill du logga ut');
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(confirm.page!.html)!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(form[2]!)![1]!;
    const done = await follow(new URL(form[1]!, confirm.page!.url), jar, POST_LOGOUT_URI, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    });
    expect(done.callbackUrl?.searchParams.get('state')).toBe('utloggning');

    // Signed out at the provider: the next sign-in asks for the password again.
    const next = await signIn(karin.email, 'inte-lösenordet', { jar });
    expect(next.page?.html).toContain('Fel e-postadress eller lösenord.');
  });

  it('keeps its keys, sessions and refresh tokens across a restart when given files for them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openid-provider-'));
    const options = {
      people,
      clients: [
        { client_id: CLIENT.id, client_secret: CLIENT.secret, redirect_uris: [REDIRECT_URI], firstParty: true },
      ],
      port: await freePort(),
      keysFile: join(dir, 'keys.json'),
      stateFile: join(dir, 'state.json'),
    };
    const omar = person('dev-utskott-ledamot');
    let first: OpenIdProvider | undefined = await startOpenIdProvider(options);
    let second: OpenIdProvider | undefined;
    try {
      const configuration = await client.discovery(
        new URL(first.issuer),
        CLIENT.id,
        undefined,
        client.ClientSecretBasic(CLIENT.secret),
        { execute: [client.allowInsecureRequests] },
      );
      const jar = new CookieJar();
      const { tokens } = await signIn(omar.email, omar.password, { configuration, jar });
      expect(statSync(options.keysFile).mode & 0o777).toBe(0o600);
      expect(statSync(options.stateFile).mode & 0o777).toBe(0o600);
      await first.stop();
      first = undefined;

      second = await startOpenIdProvider(options);
      const refreshed = await client.refreshTokenGrant(configuration, tokens!.refresh_token!);
      expect(refreshed.claims()).toMatchObject({ sub: omar.sub, groups: ['arshjul-utskott'] });
      // Still signed in at the provider: no password asked.
      const again = await signIn(omar.email, 'not-asked', { configuration, jar });
      expect(again.loginForm).toBeUndefined();
      expect(again.tokens?.claims()?.sub).toBe(omar.sub);
    } finally {
      await first?.stop();
      await second?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops its process', async () => {
    const second = await startOpenIdProvider({ people, clients: [] });
    const discovery = `${second.issuer}/.well-known/openid-configuration`;
    expect((await fetch(discovery)).status).toBe(200);
    await second.stop();
    await expect(fetch(discovery)).rejects.toThrow();
    expect(() => process.kill(second.pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    await second.stop(); // a second stop is harmless
  });
});
