// An upstream OpenID provider for zerogate's tests: oidc-provider (a certified OpenID
// Provider we did not write), configured from the JSON in UPSTREAM_CONFIG:
//   { port, issuer, groupsClaim, clients: [{client_id, client_secret, redirect_uris}],
//     users: [{username, password, email, name, groups}] }
// Logins go through our own small interaction: a username/password form that checks the
// password (the library's development interactions accept anything). Consent is granted
// automatically for every requested scope. Keys are generated at every start.
import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK } from 'jose';

const config = JSON.parse(process.env.UPSTREAM_CONFIG);
const groupsClaim = config.groupsClaim || 'groups';
const users = new Map(config.users.map((u) => [u.username, u]));

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: crypto.randomUUID(), use: 'sig', alg: 'RS256' };

const provider = new Provider(config.issuer, {
  clients: config.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: c.redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  jwks: { keys: [signingKey] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  scopes: ['openid', 'email', 'profile', groupsClaim],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
    [groupsClaim]: [groupsClaim],
  },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const user = users.get(id);
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: user.email,
          email_verified: true,
          name: user.name,
          preferred_username: id,
          [groupsClaim]: user.groups,
        };
      },
    };
  },
});

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginForm(uid, error) {
  return `<!doctype html><html><head><title>Upstream login</title></head><body><h1>Upstream IdP</h1>`
    + (error ? `<p class="error">${escape(error)}</p>` : '')
    + `<form method="post" action="/interaction/${escape(uid)}/login">`
    + `<input name="login" autocomplete="username"><input name="password" type="password">`
    + `<button>Sign in</button></form></body></html>`;
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 65536) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

async function grantFor(details, accountId) {
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  return grant.save();
}

async function interaction(req, res, path) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    if (details.prompt.name === 'consent') {
      const grantId = await grantFor(details, details.session.accountId);
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(loginForm(details.uid));
  }
  if (req.method === 'POST' && path.endsWith('/login')) {
    const form = await readForm(req);
    const user = users.get(form.get('login') || '');
    if (!user || user.password !== form.get('password')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(loginForm(details.uid, 'invalid username or password'));
    }
    const grantId = await grantFor(details, user.username);
    return provider.interactionFinished(req, res,
      { login: { accountId: user.username }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }
  res.writeHead(405);
  return res.end();
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  const path = new URL(req.url, config.issuer).pathname;
  if (path.startsWith('/interaction/')) {
    interaction(req, res, path).catch((err) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`interaction failed: ${err.message}`);
    });
    return;
  }
  callback(req, res);
});
server.listen(config.port, '127.0.0.1', () => console.log(`listening on ${config.issuer}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
