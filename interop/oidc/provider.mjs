// oidc-provider (panva) configured as an MCP authorization server, for the interop run.
//
//   node provider.mjs --node-modules DIR --port N --tokens opaque|jwt [--dev-interactions]
//
// What is configured here (everything else is the library's default):
// - issuer http://127.0.0.1:PORT, listening on 127.0.0.1 only;
// - RFC 7591 dynamic client registration (open, no initial access token);
// - RFC 8707 resource indicators: any http(s) resource on a loopback host is accepted and
//   becomes the access token's audience, with scope `mcp:tools`; access tokens are opaque
//   (`--tokens opaque`, introspection needed) or RFC 9068 JWTs (`--tokens jwt`, RS256 with
//   a key generated at start);
// - OAuth Client ID Metadata Documents (fetched from loopback hosts only);
// - RFC 7662 introspection, for which a confidential client `interop-rs` is pre-registered
//   (the resource server's credentials; secret from INTEROP_RS_CLIENT_SECRET);
// - interactions finished automatically: login as `interop-user`, then consent to every
//   requested scope and resource, each answered with a 303 on the issuer's origin. This is
//   what lets a test client play the browser. `--dev-interactions` instead keeps the
//   library's own login and consent pages (a configuration the suite must report as
//   "needs consent configuration", not as a defect).
// PKCE is the library default: required for public clients, S256 only.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const { values: opts } = parseArgs({
  options: {
    'node-modules': { type: 'string' },
    port: { type: 'string' },
    tokens: { type: 'string', default: 'opaque' },
    'dev-interactions': { type: 'boolean', default: false },
  },
});
if (!opts['node-modules'] || !opts.port || !['opaque', 'jwt'].includes(opts.tokens)) {
  console.error('usage: provider.mjs --node-modules DIR --port N --tokens opaque|jwt [--dev-interactions]');
  process.exit(2);
}
// The library lives in the harness's scratch folder, not in this repository.
const entry = pathToFileURL(join(opts['node-modules'], 'oidc-provider', 'lib', 'index.js'));
const { default: Provider, errors } = await import(entry.href);

const SCOPE = 'mcp:tools';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const issuer = `http://127.0.0.1:${opts.port}`;
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const configuration = {
  clients: [{
    client_id: 'interop-rs',
    client_secret: process.env.INTEROP_RS_CLIENT_SECRET || 'interop-rs-secret',
    grant_types: [],
    response_types: [],
    redirect_uris: [],
  }],
  jwks: { keys: [{ ...signingKey, kid: 'interop-rs256', alg: 'RS256', use: 'sig' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  scopes: ['openid', 'offline_access', SCOPE],
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  ttl: { AccessToken: 3600, AuthorizationCode: 60, Grant: 3600, IdToken: 3600, Interaction: 600, RefreshToken: 86400, Session: 3600 },
  features: {
    devInteractions: { enabled: opts['dev-interactions'] },
    registration: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    // MCP 2025-11-25 Overview: authorization servers SHOULD support Client ID Metadata
    // Documents. The library does (an experimental feature, draft-02); documents are
    // fetched only from loopback hosts, so nothing leaves this machine.
    clientIdMetadataDocument: {
      enabled: true,
      ack: 'draft-02',
      allowFetch: async (_ctx, clientId) => LOOPBACK.has(new URL(clientId).hostname),
    },
    resourceIndicators: {
      enabled: true,
      // Only the resource the client asked for; never a default audience.
      defaultResource: async (_ctx, _client, oneOf) => oneOf,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resourceIndicator) => {
        const url = URL.canParse(resourceIndicator) ? new URL(resourceIndicator) : null;
        if (!url || !LOOPBACK.has(url.hostname) || !['http:', 'https:'].includes(url.protocol)) {
          throw new errors.InvalidTarget(); // RFC 8707 §2: invalid_target
        }
        return {
          scope: SCOPE,
          audience: resourceIndicator,
          accessTokenTTL: 3600,
          accessTokenFormat: opts.tokens,
          ...(opts.tokens === 'jwt' ? { jwt: { sign: { alg: 'RS256' } } } : {}),
        };
      },
    },
  },
  ...(opts['dev-interactions'] ? {} : { interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` } }),
};

const provider = new Provider(issuer, configuration);

if (!opts['dev-interactions']) {
  // Finish every interaction at once: log in, then grant what is missing.
  provider.use(async (ctx, next) => {
    const match = ctx.method === 'GET' && /^\/interaction\/[^/]+$/.exec(ctx.path);
    if (!match) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    let result;
    if (details.prompt.name === 'login') {
      result = { login: { accountId: 'interop-user' } };
    } else {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      const missing = details.prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      result = { consent: { grantId: await grant.save() } };
    }
    const redirectTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(redirectTo);
  });
}

const server = createServer(provider.callback());
server.listen(Number(opts.port), '127.0.0.1', () => {
  console.log(`oidc-provider (${opts.tokens} access tokens${opts['dev-interactions'] ? ', stock pages' : ''}) at ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
