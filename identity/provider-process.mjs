// A real OpenID Connect provider for the embedded default and the tests: oidc-provider (the certified
// Node implementation), its people from a JSON file (ProConnect-shaped claims: sub, email, given_name,
// usual_name, uid, siret, idp_id), its own sign-in page (a password, and a one-time code for a second
// factor: amr ["pwd","otp","mfa"] when given). It listens on 127.0.0.1 only. Run by the engine and the
// test harness as a child process; plain ES module, so that it needs no build.
//
// Environment: SONS_OIDC_PORT, SONS_OIDC_PEOPLE (the people file), SONS_OIDC_CLIENTS (JSON: an array of
// { client_id, client_secret, redirect_uris, post_logout_redirect_uris }), and, for the tests of a
// relying party that must refuse what a provider should never send, SONS_OIDC_TAMPER (aud | nonce | exp):
// the token endpoint's ID token re-signed, by this provider's own key, with that claim wrong.
import { createPrivateKey, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { URLSearchParams } from 'node:url';
import Provider from 'oidc-provider';

const port = Number(process.env.SONS_OIDC_PORT ?? 0);
const issuer = `http://127.0.0.1:${port}`;
const { people, password, otp } = JSON.parse(fs.readFileSync(process.env.SONS_OIDC_PEOPLE, 'utf8'));
const clients = JSON.parse(process.env.SONS_OIDC_CLIENTS ?? '[]').map((c) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  ...c,
}));
const tamper = process.env.SONS_OIDC_TAMPER;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'local-1', use: 'sig', alg: 'RS256' };

const bySub = new Map(people.map((p) => [p.sub, p]));
const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  // ProConnect's: the access token lives 60 s (the engine reads the userinfo at once, then keeps its own session)
  ttl: {
    AccessToken: 60,
    AuthorizationCode: 60,
    IdToken: 3600,
    Interaction: 600,
    Session: 12 * 3600,
    Grant: 12 * 3600,
  },
  scopes: ['openid', 'email', 'profile', 'organization'],
  claims: {
    // the methods of authentication go into the ID token with every sign-in (ProConnect's amr)
    openid: ['sub', 'amr', 'acr', 'auth_time'],
    email: ['email'],
    profile: ['given_name', 'usual_name', 'uid', 'idp_id'],
    organization: ['siret'],
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true, logoutSource },
  },
  findAccount: async (_ctx, sub) => {
    const p = bySub.get(sub);
    if (!p) return undefined;
    return {
      accountId: sub,
      claims: async () => ({
        sub,
        email: p.email,
        given_name: p.given_name,
        usual_name: p.usual_name,
        uid: p.uid,
        siret: p.siret,
        idp_id: p.idp_id ?? 'local',
      }),
    };
  },
  // a first-party client: no consent screen, the scopes it asks are granted
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile organization');
    grant.addOIDCClaims(['amr']);
    await grant.save();
    return grant;
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page('Erreur', `<p>${escape(out.error)} : ${escape(out.error_description ?? '')}</p>`);
  },
});
provider.proxy = false;

function escape(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escape(title)} — fournisseur d’identité local</title></head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

async function logoutSource(ctx, form) {
  ctx.body = page(
    'Déconnexion',
    `${form}<p>Vous quittez aussi la session du fournisseur d’identité.</p><button form="op.logoutForm" type="submit" name="logout" value="yes">Se déconnecter</button>`,
  );
}

/** The sign-in page: who, their password, and their one-time code when they have a second factor. */
function signInPage(uid, failed) {
  return page(
    'Connexion',
    `${failed ? '<p role="alert">Identifiant, mot de passe ou code incorrect.</p>' : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
  <p><label for="login">Identifiant</label> <input id="login" name="login" autocomplete="username" required></p>
  <p><label for="password">Mot de passe</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <p><label for="otp">Code à usage unique (second facteur, facultatif)</label> <input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code"></p>
  <p><button type="submit">Se connecter</button></p>
</form>`,
  );
}

const readForm = (req) =>
  new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
      if (body.length > 10_000) req.destroy();
    });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(body))));
    req.on('error', reject);
  });

const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** An ID token re-signed by this provider's own key with one claim wrong (tests of a relying party only). */
function tampered(idToken) {
  const [header, payload] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  if (tamper === 'aud') claims.aud = 'another-client';
  if (tamper === 'nonce') delete claims.nonce;
  if (tamper === 'exp') {
    claims.iat -= 7200;
    claims.exp = claims.iat + 60;
  }
  const data = `${header}.${b64(claims)}`;
  const signature = createSign('RSA-SHA256')
    .update(data)
    .sign(createPrivateKey({ key: jwk, format: 'jwk' }));
  return `${data}.${signature.toString('base64url')}`;
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  try {
    const login = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url ?? '');
    if (login) {
      const details = await provider.interactionDetails(req, res);
      if (!login[2]) {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(signInPage(details.uid, false));
        return;
      }
      const form = await readForm(req);
      const person = people.find((p) => p.login === form.login);
      const secondFactor = person?.secondFactor && form.otp === otp;
      if (!person || form.password !== password || (form.otp && form.otp !== otp)) {
        res.statusCode = 401;
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(signInPage(details.uid, true));
        return;
      }
      await provider.interactionFinished(req, res, {
        login: {
          accountId: person.sub,
          amr: secondFactor ? ['pwd', 'otp', 'mfa'] : ['pwd'],
          acr: secondFactor ? 'eidas2' : 'eidas1',
        },
      });
      return;
    }
    if (tamper && req.method === 'POST' && req.url === '/token') {
      // the provider answers; its ID token is then spoilt, as a provider should never send it
      const write = res.write.bind(res);
      const end = res.end.bind(res);
      const chunks = [];
      res.write = (c) => (chunks.push(Buffer.from(c)), true);
      res.end = (c) => {
        if (c) chunks.push(Buffer.from(c));
        let body = Buffer.concat(chunks).toString();
        try {
          const json = JSON.parse(body);
          if (json.id_token) json.id_token = tampered(json.id_token);
          body = JSON.stringify(json);
          res.setHeader('content-length', Buffer.byteLength(body));
        } catch {
          /* not JSON: as it is */
        }
        write(body);
        return end();
      };
    }
    callback(req, res);
  } catch (err) {
    res.statusCode = 400;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(page('Erreur', `<p>${escape(err.message)}</p>`));
  }
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`oidc provider ${issuer}\n`);
});
