// A real OpenID Connect provider (oidc-provider, a certified implementation) for the end-to-end
// suite: it issues JWT access tokens with the client-credentials grant, as an ENT's identity
// provider does for its services, and publishes its keys at the discovery document's jwks_uri.
//
//   node provider.mjs PORT STATE_DIR [rotate]
//
// The private keys live in STATE_DIR/keys.json, created on first start (one RSA, one P-256, one
// Ed25519 key). `rotate` puts a new key of each kind first and keeps the old ones after it, as a
// provider rotates: new tokens are signed with the new keys, the old ones stay published until
// the tokens they signed expire. The resource indicator chooses the signing algorithm
// (`urn:mesdonnees:RS256`, `…:ES256`, `…:EdDSA`). "ready <issuer>" on stdout once it listens.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import Provider from 'oidc-provider';

const [port, stateDir, rotate] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const keysFile = join(stateDir, 'keys.json');

function newKey(alg) {
  const pair = alg === 'RS256'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('ed25519');
  return { ...pair.privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg, use: 'sig' };
}

const algs = ['RS256', 'ES256', 'EdDSA'];
let keys = existsSync(keysFile) ? JSON.parse(readFileSync(keysFile, 'utf8')) : [];
if (keys.length === 0 || rotate === 'rotate') {
  keys = [...algs.map(newKey), ...keys];
}
writeFileSync(keysFile, JSON.stringify(keys));

const provider = new Provider(issuer, {
  jwks: { keys },
  clients: [{
    client_id: 'ent-service',
    client_secret: 'ent-service-secret',
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  scopes: ['ENSEIGNANT', 'ELEVE'],
  features: {
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:mesdonnees:RS256',
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource) => ({
        scope: 'ENSEIGNANT ELEVE',
        audience: 'mesdonnees',
        accessTokenTTL: 600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: resource.split(':').pop() } },
      }),
    },
  },
  // What an entcore-style ENT puts in its tokens besides the standard claims.
  extraTokenClaims: () => ({
    login: 'marie.curie',
    given_name: 'Marie',
    family_name: 'Curie',
    email: 'marie.curie@ent.example',
  }),
});

// One line per key-set request, counted by the test.
provider.use(async (ctx, next) => {
  if (ctx.path === '/jwks') process.stdout.write('jwks\n');
  await next();
});
provider.on('server_error', (ctx, err) => { process.stderr.write(`${err.stack}\n`); });

provider.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
