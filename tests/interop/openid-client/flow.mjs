// The whole authorization code + PKCE flow against a live `guichet serve`, with openid-client
// (a client no one here wrote): discovery, the authorization request, the sign-in page posted
// like a browser would, the code exchanged (client_secret_basic), the ID token checked by the
// library (signature from the JWKS, issuer, audience, nonce, at_hash), userinfo, the code
// replayed (refused, and its token revoked), then revocation and RP-initiated logout.
// Settings come from the environment; the outcome is one JSON object on stdout.
import assert from 'node:assert/strict'
import * as client from 'openid-client'

const env = (name) => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set`)
  return value
}
const issuer = new URL(env('OIDC_ISSUER'))
const clientId = env('OIDC_CLIENT_ID')
const secret = env('OIDC_CLIENT_SECRET')
const redirectUri = env('OIDC_REDIRECT_URI')
const postLogout = env('OIDC_POST_LOGOUT_REDIRECT_URI')
const login = env('OIDC_LOGIN')
const password = env('OIDC_PASSWORD')

const config = await client.discovery(
  issuer,
  clientId,
  { id_token_signed_response_alg: 'ES256' },
  client.ClientSecretBasic(secret),
  { execute: [client.allowInsecureRequests] },
)
const metadata = config.serverMetadata()
assert.deepEqual(metadata.code_challenge_methods_supported, ['S256'])

// A browser: follows redirects by hand, keeps the HTML form's hidden fields.
function hiddenFields(html) {
  const fields = {}
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[match[1]] = match[2].replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')
  }
  return fields
}

async function signIn(authorizationUrl) {
  const page = await fetch(authorizationUrl, { redirect: 'manual' })
  assert.equal(page.status, 200, `the sign-in page: ${page.status}`)
  const html = await page.text()
  assert.match(html, /<form method="post">/)
  const action = new URL(authorizationUrl.pathname, authorizationUrl)
  const body = new URLSearchParams({ ...hiddenFields(html), email: login, password })
  const posted = await fetch(action, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  })
  assert.equal(posted.status, 302, `the signed-in redirect: ${posted.status} ${await posted.text()}`)
  return new URL(posted.headers.get('location'))
}

const codeVerifier = client.randomPKCECodeVerifier()
const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier)
const state = client.randomState()
const nonce = client.randomNonce()
const authorizationUrl = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri,
  scope: 'openid profile email habilitations',
  code_challenge: codeChallenge,
  code_challenge_method: 'S256',
  state,
  nonce,
})
const callback = await signIn(authorizationUrl)
assert.equal(`${callback.origin}${callback.pathname}`, redirectUri)

const tokens = await client.authorizationCodeGrant(config, callback, {
  pkceCodeVerifier: codeVerifier,
  expectedState: state,
  expectedNonce: nonce,
  idTokenExpected: true,
})
const claims = tokens.claims()
const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub)

// The same code again: refused, and the access token it gave is revoked.
let replay = null
try {
  await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    expectedNonce: nonce,
  })
} catch (error) {
  replay = error.error ?? error.cause?.error ?? error.code
}
let afterReplay = null
try {
  await client.fetchUserInfo(config, tokens.access_token, claims.sub)
} catch (error) {
  afterReplay = error.status ?? error.cause?.status ?? error.code
}

// A second sign-in (a new code), then revocation (RFC 7009) and RP-initiated logout.
const verifier2 = client.randomPKCECodeVerifier()
const url2 = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri,
  scope: 'openid profile email habilitations',
  code_challenge: await client.calculatePKCECodeChallenge(verifier2),
  code_challenge_method: 'S256',
  state,
})
const tokens2 = await client.authorizationCodeGrant(config, await signIn(url2), {
  pkceCodeVerifier: verifier2,
  expectedState: state,
})
await client.fetchUserInfo(config, tokens2.access_token, claims.sub)
await client.tokenRevocation(config, tokens2.access_token)
let afterRevocation = null
try {
  await client.fetchUserInfo(config, tokens2.access_token, claims.sub)
} catch (error) {
  afterRevocation = error.status ?? error.cause?.status ?? error.code
}
const logoutUrl = client.buildEndSessionUrl(config, {
  id_token_hint: tokens2.id_token,
  post_logout_redirect_uri: postLogout,
  state: 'bye',
})
const logout = await fetch(logoutUrl, { redirect: 'manual' })

console.log(JSON.stringify({
  issuer: metadata.issuer,
  endSession: metadata.end_session_endpoint,
  claims,
  userinfo,
  replay,
  afterReplay,
  afterRevocation,
  logout: { status: logout.status, location: logout.headers.get('location') },
}))
