// The OpenID Provider the sign-in tests run against: the certified `oidc-provider` package on loopback,
// standing in for a DigiD / eHerkenning broker. Clients register themselves (dynamic registration), because
// each test server has its own port and so its own redirect URI. Its login page lists fictional test users;
// choosing one signs in with that user's `acr` and identifiers.
//
// Users named `tamper-*` get an ID token that is validly signed but wrong in one way (audience, nonce or
// expiry), as a broken or hostile broker would send: Loket must refuse each.
//
// Usage: node oidc_provider.mjs <port> [<Loket's public URL>]   (prints "ready" when it listens). With a
// public URL it also knows the static client `loket-e2e` (secret `loket-e2e-secret`) of that Loket, for the
// browser journeys, which cannot register one themselves.
import http from 'node:http';
import { generateKeyPair, exportJWK, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const e2eLoket = process.argv[3];
const issuer = `http://127.0.0.1:${port}`;

const DIGID_SUBSTANTIAL = 'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard';
const DIGID_BASIC = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
const EH3 = 'urn:etoegang:core:assurance-class:loa3';
const EIDAS_SUBSTANTIAL = 'http://eidas.europa.eu/LoA/substantial';

// Fictional people: the BSNs pass the eleven test and are not issued to anyone.
const users = {
  'digid-substantieel': { acr: DIGID_SUBSTANTIAL, claims: { bsn: '999993653' } },
  'digid-basis': { acr: DIGID_BASIC, claims: { bsn: '999990019' } },
  'digid-nieuw': { acr: DIGID_SUBSTANTIAL, claims: { bsn: '999991772' } },
  'digid-zonder-bsn': { acr: DIGID_SUBSTANTIAL, claims: {} },
  // DigiD Machtigen: 999990019 acts for 999993653 (Desiree in the demo data).
  'digid-machtiging': { acr: DIGID_SUBSTANTIAL, claims: { bsn: '999990019', represented_bsn: '999993653' } },
  'digid-machtiging-fout': { acr: DIGID_SUBSTANTIAL, claims: { bsn: '999990019', represented_bsn: '123' } },
  // Acts for Bloemenzaak De Vries (the demo's company, KvK 90001234).
  'eherkenning-loa3': { acr: EH3, claims: { kvk: '90001234', vestiging: '000038509504', acting_subject: 'pseudo-7f3a' } },
  // An EU citizen whose broker links her BSN, and one it knows only by its pseudonym (the `sub`).
  'eidas-met-bsn': { acr: EIDAS_SUBSTANTIAL, claims: { bsn: '999993653' } },
  'eidas-zonder-bsn': { acr: EIDAS_SUBSTANTIAL, claims: {} },
  'tamper-audience': { acr: DIGID_SUBSTANTIAL, claims: { bsn: '999993653' } },
  'tamper-nonce': { acr: DIGID_SUBSTANTIAL, claims: { bsn: '999993653' } },
  'tamper-expired': { acr: DIGID_SUBSTANTIAL, claims: { bsn: '999993653' } },
};

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  jwks: { keys: [jwk] },
  cookies: { keys: ['loket-test-provider-cookie-key'] },
  // The identifiers go into the ID token, as brokers put them there.
  conformIdTokenClaims: false,
  claims: { openid: ['sub', 'bsn', 'kvk', 'vestiging', 'acting_subject', 'represented_bsn'] },
  acrValues: [DIGID_BASIC, DIGID_SUBSTANTIAL, EH3, EIDAS_SUBSTANTIAL],
  findAccount: async (_ctx, sub) => users[sub] && {
    accountId: sub,
    claims: async () => ({ sub, ...users[sub].claims }),
  },
  pkce: { required: () => true },
  clients: e2eLoket ? [{
    client_id: 'loket-e2e',
    client_secret: 'loket-e2e-secret',
    redirect_uris: ['digid', 'eherkenning', 'eidas'].map((door) => `${e2eLoket}/inloggen/${door}/terug`),
    post_logout_redirect_uris: [`${e2eLoket}/inloggen?reden=uitgelogd`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }] : [],
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
});
provider.proxy = false;

// A tampered ID token keeps its signature valid: re-signed with the provider's own key.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || !ctx.body || !ctx.body.id_token) return;
  const claims = decodeJwt(ctx.body.id_token);
  if (!String(claims.sub).startsWith('tamper-')) return;
  if (claims.sub === 'tamper-audience') claims.aud = 'another-client';
  if (claims.sub === 'tamper-nonce') claims.nonce = 'not-the-nonce-that-was-sent';
  if (claims.sub === 'tamper-expired') { claims.iat -= 3600; claims.exp = claims.iat + 60; }
  const header = decodeProtectedHeader(ctx.body.id_token);
  ctx.body = { ...ctx.body, id_token: await new SignJWT(claims).setProtectedHeader(header).sign(privateKey) };
});

const page = (uid) => `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Test broker</title></head>
<body><main><h1>Inloggen bij de test-broker</h1>
<form method="post" action="/interaction/${uid}">
<label for="login">Testgebruiker</label>
<select id="login" name="login">${Object.keys(users).map((u) => `<option>${u}</option>`).join('')}</select>
<button type="submit">Inloggen</button></form></main></body></html>`;

const readBody = (req) => new Promise((resolve, reject) => {
  let data = '';
  req.on('data', (chunk) => { data += chunk; });
  req.on('end', () => resolve(new URLSearchParams(data)));
  req.on('error', reject);
});

const callback = provider.callback();
http.createServer(async (req, res) => {
  if (!req.url.startsWith('/interaction/')) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(page(details.uid));
    }
    const login = (await readBody(req)).get('login');
    const user = users[login];
    if (!user) { res.writeHead(400); return res.end('unknown test user'); }
    const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, {
      login: { accountId: login, acr: user.acr },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
  } catch (error) {
    res.writeHead(500);
    return res.end(String(error));
  }
}).listen(port, '127.0.0.1', () => console.log('ready'));
