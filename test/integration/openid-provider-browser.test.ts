import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { loadDevPeople, shippedDevPeoplePath } from '../../src/stack/dev-people';
import { OpenIdProvider, startOpenIdProvider } from '../../src/stack/openid-provider';
import { accessibilityViolations } from '../helpers/accessibility';
import { launchBrowser, screenshot } from '../helpers/browser';

// The development provider's login form in Chromium, as a person meets it: its cookies over
// plain HTTP on loopback, the Swedish form and its error, and WCAG 2.1 AA by axe-core.

const people = loadDevPeople(shippedDevPeoplePath());
let REDIRECT_URI = '';
const CLIENT = { id: 'arshjul', secret: 'dev-secret-for-browser-tests-0123456789' };

let provider: OpenIdProvider;
let browser: Browser;
let config: client.Configuration;
let relyingParty: Server;

beforeAll(async () => {
  // The relying party's address answers, as Årshjul will (the browser follows no route to it).
  relyingParty = createServer((_req, res) => res.end('tillbaka i Årshjul'));
  await new Promise<void>((resolve) => relyingParty.listen(0, '127.0.0.1', resolve));
  REDIRECT_URI = `http://127.0.0.1:${(relyingParty.address() as AddressInfo).port}/logga-in/klar`;
  [provider, browser] = await Promise.all([
    startOpenIdProvider({
      people,
      clients: [
        {
          client_id: CLIENT.id,
          client_secret: CLIENT.secret,
          client_name: 'Årshjul',
          redirect_uris: [REDIRECT_URI],
          firstParty: true,
        },
      ],
    }),
    launchBrowser(),
  ]);
  config = await client.discovery(
    new URL(provider.issuer),
    CLIENT.id,
    undefined,
    client.ClientSecretBasic(CLIENT.secret),
    {
      execute: [client.allowInsecureRequests],
    },
  );
});

afterAll(async () => {
  await browser?.close();
  await provider?.stop();
  await new Promise((resolve) => relyingParty?.close(resolve));
});

it('signs a person in through the Swedish form in a browser, after a wrong password', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email groups offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });

  await page.goto(url.href);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Logga in');
  expect(await accessibilityViolations(page)).toEqual([]);
  await screenshot(page, 'openid-provider-login');

  const maria = people.find((p) => p.sub === 'dev-farsta-forvaltningschef')!;
  await page.getByLabel('E-postadress eller användar-id').fill(maria.email);
  await page.getByLabel('Lösenord').fill('fel');
  await page.getByRole('button', { name: 'Logga in' }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toContain('Fel e-postadress eller lösenord.');
  expect(await page.getByLabel('E-postadress eller användar-id').inputValue()).toBe(maria.email);
  expect(await accessibilityViolations(page)).toEqual([]);
  await screenshot(page, 'openid-provider-login-wrong-password');

  await page.getByLabel('Lösenord').fill(maria.password);
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(REDIRECT_URI)),
    page.getByRole('button', { name: 'Logga in' }).click(),
  ]);
  const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    idTokenExpected: true,
  });
  expect(tokens.claims()).toMatchObject({
    sub: maria.sub,
    name: 'Maria Sandberg',
    groups: ['arshjul-farsta-forvaltningschef'],
  });
  await context.close();
});
