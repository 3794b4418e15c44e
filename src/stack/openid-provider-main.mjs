// The development OpenID provider's process: oidc-provider (ES modules only) in a plain Node
// process of its own, so that the CommonJS code of Årshjul and its tests never load it. Started
// and steered by src/stack/openid-provider.ts over an IPC channel:
//
//   parent → { type: 'start', config }                      once, first
//   child  → { type: 'ready', issuer } | { type: 'failed', message }
//   parent → { type: 'update-person', id, sub, groups?, disabled? }
//   child  → { type: 'done', id } | { type: 'error', id, message }
//
// The child ends when it gets SIGTERM or SIGINT, and when the channel closes (the parent died
// without stopping it), so no provider outlives the test or `npm start` that started it.
//
// DEVELOPMENT ONLY: the people and their passwords come from a file shipped in the repository.
import { Buffer } from 'node:buffer';
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { setTimeout } from 'node:timers';
import { URL, URLSearchParams } from 'node:url';
import Provider from 'oidc-provider';

/** The scopes offered; `groups` carries the person's group names, mapped to roles by the RP. */
const SCOPES = ['openid', 'offline_access', 'profile', 'email', 'groups'];

const send = (message) => {
  if (process.connected) process.send(message);
};

/** Escapes text for HTML element content and double-quoted attribute values. */
const escapeHtml = (value) =>
  String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

/** Compares passwords without telling how much of them matched through the time it takes. */
const samePassword = (given, expected) =>
  timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());

function page(title, body) {
  return `<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – Årshjul (utvecklingsinloggning)</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
label{display:block;margin-top:1rem;font-weight:600}
input{display:block;width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;border:1px solid #555}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem;background:#00507a;color:#fff;border:0;cursor:pointer}
.fel{border-left:4px solid #b00020;padding:.5rem 1rem;background:#fdecee}
.obs{font-size:.9rem;color:#444}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

function loginPage({ uid, clientName, username = '', error }) {
  const errorBlock = error ? `<div class="fel" role="alert" id="fel"><p>${escapeHtml(error)}</p></div>` : '';
  const described = error ? ' aria-describedby="fel" aria-invalid="true"' : '';
  return page(
    'Logga in',
    `<h1>Logga in</h1>
<p>Logga in för att fortsätta till ${escapeHtml(clientName)}.</p>
${errorBlock}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
<label for="username">E-postadress eller användar-id</label>
<input id="username" name="username" type="text" required${username ? '' : ' autofocus'} value="${escapeHtml(username)}"${described}>
<label for="password">Lösenord</label>
<input id="password" name="password" type="password" required${username ? ' autofocus' : ''}${described}>
<button type="submit">Logga in</button>
</form>
<p class="obs">Detta är utvecklingsmiljöns inloggning. Personerna och deras lösenord finns i
Årshjuls källkod och får aldrig användas i drift.</p>`,
  );
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function respondHtml(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // No form-action: Chromium holds the login form's whole redirect chain to it, and the chain
    // ends at the relying party, another origin.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
  res.end(html);
}

/**
 * oidc-provider's storage: sessions, grants, codes and tokens, by model and id. In memory, and
 * with `file` also in one JSON file, so that `npm start` keeps them across restarts (written
 * whole on every change: a development provider's handful of people). Ours rather than the
 * provider's in-memory store so that disabling a person can end what they hold (`revokeAccount`).
 */
function createStore(file) {
  const entries = file && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const now = () => Date.now();
  const expired = (entry) => entry.expiresAt !== undefined && entry.expiresAt < now();
  const save = () => {
    for (const [key, entry] of Object.entries(entries)) if (expired(entry)) delete entries[key];
    if (!file) return;
    writeFileSync(`${file}.tmp`, JSON.stringify(entries), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  };
  const deleteWhere = (predicate) => {
    for (const [key, entry] of Object.entries(entries)) if (predicate(entry.payload)) delete entries[key];
    save();
  };

  class StoreAdapter {
    constructor(model) {
      this.model = model;
    }
    key(id) {
      return `${this.model}:${id}`;
    }
    findWhere(predicate) {
      const prefix = `${this.model}:`;
      return Object.entries(entries).find(
        ([key, entry]) => key.startsWith(prefix) && !expired(entry) && predicate(entry.payload),
      )?.[1].payload;
    }
    async upsert(id, payload, expiresIn) {
      entries[this.key(id)] = { payload, expiresAt: expiresIn ? now() + expiresIn * 1000 : undefined };
      save();
    }
    async find(id) {
      const entry = entries[this.key(id)];
      return entry && !expired(entry) ? entry.payload : undefined;
    }
    async findByUid(uid) {
      return this.findWhere((payload) => payload.uid === uid);
    }
    async findByUserCode(userCode) {
      return this.findWhere((payload) => payload.userCode === userCode);
    }
    async consume(id) {
      const entry = entries[this.key(id)];
      if (entry) entry.payload.consumed = Math.floor(now() / 1000);
      save();
    }
    async destroy(id) {
      delete entries[this.key(id)];
      save();
    }
    async revokeByGrantId(grantId) {
      deleteWhere((payload) => payload.grantId === grantId);
    }
  }

  return {
    Adapter: StoreAdapter,
    /**
     * Ends everything a person holds: sessions, grants, codes and tokens. A real provider does
     * as much when an account is disabled; and oidc-provider cannot carry on a session whose
     * account it no longer finds (its consent check fails with a server error).
     */
    revokeAccount: (accountId) => deleteWhere((payload) => payload.accountId === accountId),
  };
}

function createProvider(config, issuer, people, store) {
  const firstParty = new Set(config.clients.filter((c) => c.firstParty).map((c) => c.client_id));
  const provider = new Provider(issuer, {
    // `firstParty` is ours, not client metadata: the provider would refuse it.
    clients: config.clients.map((client) => {
      const metadata = {
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        ...client,
      };
      delete metadata.firstParty;
      return metadata;
    }),
    adapter: store.Adapter,
    jwks: { keys: config.keys.signing },
    cookies: { keys: config.keys.cookies },
    scopes: SCOPES,
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    // The scope's claims go into the ID token too, not only to userinfo: the relying party reads
    // the person and the groups straight from the ID token it gets at sign-in and at each refresh.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    // A refresh token for every code the first-party client redeems (as Keycloak does), and for
    // other clients when offline_access was granted (OpenID Connect's rule: with prompt=consent).
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      (firstParty.has(client.clientId) || code.scopes.has('offline_access')),
    // Always rotate, so a test sees at once whether the provider still honours a refresh.
    rotateRefreshToken: () => true,
    findAccount: async (_ctx, sub) => {
      const person = people.get(sub);
      if (!person || person.disabled) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          name: person.name,
          preferred_username: person.email,
          email: person.email,
          email_verified: true,
          groups: [...person.groups],
        }),
      };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = page(
            'Logga ut',
            `<h1>Logga ut</h1>
<p>Vill du logga ut från utvecklingsmiljöns inloggning?</p>
${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Ja, logga ut</button>
<button type="submit" form="op.logoutForm">Nej, förbli inloggad</button>`,
          );
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = page('Utloggad', '<h1>Du är utloggad</h1>');
        },
      },
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page(
        'Något gick fel',
        `<h1>Något gick fel</h1>
<p>Inloggningen kunde inte genomföras.</p>
<p><code>${escapeHtml(out.error)}</code>: ${escapeHtml(out.error_description)}</p>`,
      );
    },
    clientBasedCORS: () => false,
    responseTypes: ['code'],
    ttl: {
      AccessToken: 5 * 60,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      RefreshToken: 14 * 24 * 60 * 60,
      Interaction: 60 * 60,
      Session: 14 * 24 * 60 * 60,
      Grant: 14 * 24 * 60 * 60,
    },
  });
  // Loopback, plain HTTP: no proxy in front, so no X-Forwarded-* to trust.
  provider.proxy = false;
  return { provider, firstParty };
}

/** GET /interaction/:uid and POST /interaction/:uid/login: the login form and the consent. */
async function handleInteraction(req, res, { provider, firstParty }, people) {
  const url = new URL(req.url, 'http://localhost');
  const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(url.pathname);
  if (!match) return false;
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== match[1]) {
    respondHtml(res, 400, page('Något gick fel', '<h1>Inloggningen har gått ut</h1><p>Börja om från Årshjul.</p>'));
    return true;
  }
  const client = await provider.Client.find(details.params.client_id);
  const clientName = client?.clientName ?? 'Årshjul';

  if (details.prompt.name === 'login') {
    if (req.method === 'GET' && !match[2]) {
      respondHtml(res, 200, loginPage({ uid: details.uid, clientName }));
      return true;
    }
    if (req.method === 'POST' && match[2]) {
      const form = await readForm(req);
      const username = (form.get('username') ?? '').trim();
      const password = form.get('password') ?? '';
      const person = [...people.values()].find(
        (p) => p.sub === username || p.email.toLowerCase() === username.toLowerCase(),
      );
      if (!person || !samePassword(password, person.password)) {
        const error = 'Fel e-postadress eller lösenord. Försök igen.';
        respondHtml(res, 401, loginPage({ uid: details.uid, clientName, username, error }));
        return true;
      }
      if (person.disabled) {
        const error = 'Kontot är avstängt. Kontakta den som administrerar Årshjul.';
        respondHtml(res, 403, loginPage({ uid: details.uid, clientName, username, error }));
        return true;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: person.sub } },
        { mergeWithLastSubmission: false },
      );
      return true;
    }
  }

  if (details.prompt.name === 'consent' && req.method === 'GET') {
    if (!firstParty.has(details.params.client_id)) {
      // Only the first-party client is registered here; a consent screen is never needed.
      respondHtml(res, 403, page('Något gick fel', '<h1>Klienten får inte logga in personer här</h1>'));
      return true;
    }
    // Årshjul is the city's own application: consent is granted on the person's behalf, for what
    // the request asks and the provider still misses.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return true;
  }

  respondHtml(res, 405, page('Något gick fel', '<h1>Det här steget finns inte</h1>'));
  return true;
}

async function start(config) {
  const people = new Map(config.people.map((p) => [p.sub, { ...p, groups: [...p.groups], disabled: false }]));
  let handlers;
  const server = createServer((req, res) => {
    handleInteraction(req, res, handlers, people)
      .then((handled) => {
        if (!handled) handlers.callback(req, res);
      })
      .catch((error) => {
        const sessionGone = error?.name === 'SessionNotFound' || error?.error === 'invalid_request';
        if (!res.headersSent) {
          respondHtml(
            res,
            sessionGone ? 400 : 500,
            page(
              'Något gick fel',
              sessionGone
                ? '<h1>Inloggningen har gått ut</h1><p>Börja om från Årshjul.</p>'
                : `<h1>Något gick fel</h1><p>${escapeHtml(error?.message)}</p>`,
            ),
          );
        }
        if (!sessionGone) process.stderr.write(`interaction failed: ${error?.stack ?? error}\n`);
      });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port ?? 0, config.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const issuer = `http://${config.host ?? '127.0.0.1'}:${port}`;
  const store = createStore(config.stateFile);
  const { provider, firstParty } = createProvider(config, issuer, people, store);
  provider.on('server_error', (_ctx, error) => process.stderr.write(`server_error: ${error?.stack ?? error}\n`));
  handlers = { provider, firstParty, callback: provider.callback() };
  return { server, issuer, people, store };
}

let running;
const stopAndExit = (code) => {
  if (!running) process.exit(code);
  running.server.close(() => process.exit(code));
  running.server.closeAllConnections();
  setTimeout(() => process.exit(code), 2000).unref();
};
process.on('SIGTERM', () => stopAndExit(0));
process.on('SIGINT', () => stopAndExit(0));
process.on('disconnect', () => stopAndExit(0));

process.on('message', (message) => {
  if (message?.type === 'start') {
    start(message.config)
      .then((started) => {
        running = started;
        send({ type: 'ready', issuer: started.issuer });
      })
      .catch((error) => send({ type: 'failed', message: error?.stack ?? String(error) }));
    return;
  }
  if (message?.type === 'update-person') {
    const person = running?.people.get(message.sub);
    if (!person) {
      send({ type: 'error', id: message.id, message: `no person with sub ${message.sub}` });
      return;
    }
    if (message.groups) person.groups = [...message.groups];
    if (typeof message.disabled === 'boolean') person.disabled = message.disabled;
    if (person.disabled) running.store.revokeAccount(person.sub);
    send({ type: 'done', id: message.id });
  }
});
