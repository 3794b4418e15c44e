import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, openSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { DevPerson } from './dev-people';

/**
 * The development OpenID provider (issue 13): a real OpenID Connect provider (npm
 * `oidc-provider`) on loopback, with seeded people, for the tests and `npm start`. It runs in a
 * Node process of its own (`openid-provider-main.mjs`), because oidc-provider ships only ES
 * modules and Årshjul is CommonJS. Never used in production: there the city's own provider
 * (Entra ID, Keycloak, …) is configured with the `OIDC_*` variables.
 */

/** A client registered at the provider (OAuth 2.0 Dynamic Client Registration metadata names). */
export interface OpenIdClientRegistration {
  client_id: string;
  client_secret: string;
  client_name?: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  /** Defaults to client_secret_basic; client_secret_post works too. */
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post';
  /** The city's own application: consent is granted without a screen, refresh tokens always issued. */
  firstParty?: boolean;
}

export interface OpenIdProviderOptions {
  clients: OpenIdClientRegistration[];
  people: DevPerson[];
  /** Port on 127.0.0.1; 0 or unset takes a free one (chosen by the provider's process itself). */
  port?: number;
  /**
   * A file for the signing and cookie keys: read when it exists, otherwise created (mode 0600),
   * so tokens and cookies stay valid across restarts. Unset: fresh keys for every start (tests).
   */
  keysFile?: string;
  /**
   * A file for the provider's sessions, grants and tokens (mode 0600), so that people stay
   * signed in and refresh tokens stay good across restarts. Unset: kept in memory (tests).
   */
  stateFile?: string;
  /** Where the process writes its output; unset, the output is kept to explain a failed start. */
  logFile?: string;
  /** How long to wait for the discovery document, in ms (default 30 s). */
  startTimeoutMs?: number;
}

export interface PersonChange {
  groups?: string[];
  disabled?: boolean;
}

export interface OpenIdProvider {
  /** The issuer URL, e.g. http://127.0.0.1:41234 (its discovery document is below it). */
  issuer: string;
  /** The provider's process id (its own process group). */
  pid: number;
  /**
   * Changes a person while the provider runs: new groups show in userinfo and in the ID token of
   * the next refresh; a disabled person cannot sign in, and refresh and userinfo are refused.
   */
  updatePerson(sub: string, change: PersonChange): Promise<void>;
  /** Stops the process (SIGTERM, SIGKILL after 5 s) and resolves once it has exited. */
  stop(): Promise<void>;
}

interface ProviderKeys {
  signing: Array<Record<string, unknown>>;
  cookies: string[];
}

const MAIN = join(__dirname, 'openid-provider-main.mjs');

function newKeys(): ProviderKeys {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  return {
    signing: [{ ...jwk, kid: randomUUID(), alg: 'RS256', use: 'sig' }],
    cookies: [randomBytes(32).toString('base64url')],
  };
}

/** Keys kept in the data folder (readable by the owner only), created on the first start. */
export function ensureProviderKeys(file: string): ProviderKeys {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ProviderKeys;
  const keys = newKeys();
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}

type ChildMessage =
  | { type: 'ready'; issuer: string }
  | { type: 'failed'; message: string }
  | { type: 'done'; id: string }
  | { type: 'error'; id: string; message: string };

/** Starts the development OpenID provider on loopback and resolves once its discovery document answers. */
export async function startOpenIdProvider(options: OpenIdProviderOptions): Promise<OpenIdProvider> {
  const keys = options.keysFile ? ensureProviderKeys(options.keysFile) : newKeys();
  const logFd = options.logFile ? openSync(options.logFile, 'a') : undefined;
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    // Its own process group, like the other services of `npm start`: Ctrl-C reaches only the
    // stack, which stops the provider after the HTTP server. The IPC channel carries the
    // configuration (secrets stay out of argv and the environment) and the changes to people.
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe', 'ipc'],
    detached: true,
    env: { ...process.env, NODE_ENV: 'development', NODE_OPTIONS: '' },
  });
  if (logFd !== undefined) closeSync(logFd);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pending = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'done') pending.get(message.id)?.resolve();
    if (message.type === 'error') pending.get(message.id)?.reject(new Error(message.message));
    if (message.type === 'done' || message.type === 'error') pending.delete(message.id);
  });
  void exited.then(() => {
    for (const { reject } of pending.values()) reject(new Error('the OpenID provider has stopped'));
    pending.clear();
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };

  const describe = (what: string): Error =>
    new Error(
      `OpenID provider ${what}${options.logFile ? `; see ${options.logFile}` : output ? `:\n${output.trim()}` : ''}`,
    );
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  try {
    const issuer = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(describe(`did not start within ${timeoutMs} ms`)), timeoutMs);
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') resolve(message.issuer);
        if (message.type === 'failed') reject(describe(`failed to start: ${message.message}`));
      });
      void exited.then(() => reject(describe('exited during start-up')));
      void exited.finally(() => clearTimeout(timer));
      child.send({
        type: 'start',
        config: {
          port: options.port ?? 0,
          clients: options.clients,
          people: options.people,
          keys,
          stateFile: options.stateFile,
        },
      });
    });
    await waitForDiscovery(issuer, timeoutMs);
    return {
      issuer,
      pid: child.pid!,
      stop,
      updatePerson(sub, change) {
        const id = randomUUID();
        return new Promise<void>((resolve, reject) => {
          if (!child.connected) {
            reject(new Error('the OpenID provider has stopped'));
            return;
          }
          pending.set(id, { resolve, reject });
          child.send({ type: 'update-person', id, sub, ...change });
        });
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForDiscovery(issuer: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${issuer}/.well-known/openid-configuration`);
      if (response.ok && ((await response.json()) as { issuer?: string }).issuer === issuer) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no discovery document at ${issuer} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
