import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { formatGroupRole, rolesForGroups } from '../domain/group-roles';
import { loadGroupRoles, shippedGroupRolesPath } from '../client/data-files';
import { loadDevPeople, shippedDevPeoplePath } from './dev-people';
import { startOpenIdProvider } from './openid-provider';

/** Where the development provider sends people back to Årshjul, and where after signing out. */
const OIDC_REDIRECT_PATH = '/logga-in/klar';
const OIDC_POST_LOGOUT_PATHS = ['/', '/logga-in'];

export interface DevSignIn {
  /** The OIDC_* variables the API processes need. */
  env: Record<string, string>;
  /** Rows for the start-up printout: the provider and each person with their roles and password. */
  printout: Array<[string, string] | string>;
  stop(): Promise<void>;
}

/**
 * The development OpenID provider with the people of data/<municipality>/dev-people.yaml, for a
 * stack started without OIDC_ISSUER. `baseUrls` are the Årshjul addresses people come back to
 * (one per API process).
 */
export async function startDevSignIn(options: {
  municipality: string;
  port: number;
  baseUrls: string[];
  dataDir: string;
}): Promise<DevSignIn> {
  const peopleFile = shippedDevPeoplePath(options.municipality);
  const people = loadDevPeople(peopleFile);
  const groupRolesFile = shippedGroupRolesPath(options.municipality);
  const groupRoles = loadGroupRoles(groupRolesFile);
  const bases = options.baseUrls.map((url) => url.replace(/\/$/, ''));
  const clientSecret = randomBytes(24).toString('base64url');
  const provider = await startOpenIdProvider({
    port: options.port,
    people,
    clients: [
      {
        client_id: 'arshjul',
        client_secret: clientSecret,
        client_name: 'Årshjul',
        redirect_uris: bases.map((base) => `${base}${OIDC_REDIRECT_PATH}`),
        post_logout_redirect_uris: bases.flatMap((base) => OIDC_POST_LOGOUT_PATHS.map((path) => `${base}${path}`)),
        firstParty: true,
      },
    ],
    // Kept, so that its sessions, tokens and cookies stay valid across restarts.
    keysFile: join(options.dataDir, 'openid-provider-keys.json'),
    stateFile: join(options.dataDir, 'openid-provider-state.json'),
    logFile: join(options.dataDir, 'openid-provider.log'),
  });
  return {
    env: {
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: 'arshjul',
      OIDC_CLIENT_SECRET: clientSecret,
      // Each API process is given its own with redirectUrlFor; this is the first one's.
      OIDC_REDIRECT_URL: `${bases[0]}${OIDC_REDIRECT_PATH}`,
      OIDC_GROUP_ROLES_FILE: groupRolesFile,
    },
    printout: [
      ['OpenID provider', `${provider.issuer} (development only; people in ${peopleFile})`],
      ...people.map((person) => {
        const roles = rolesForGroups(groupRoles, person.groups).map(formatGroupRole);
        return `    ${person.name} (${roles.join(', ') || 'no role'}) — ${person.email} / ${person.password}`;
      }),
    ],
    stop: () => provider.stop(),
  };
}

/** The redirect URL an API process at `baseUrl` registers with the provider. */
export const redirectUrlFor = (baseUrl: string): string => `${baseUrl.replace(/\/$/, '')}${OIDC_REDIRECT_PATH}`;
