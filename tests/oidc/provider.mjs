// A real OpenID Connect provider for the single sign-on tests, on loopback only:
// node tests/oidc/provider.mjs PORT REDIRECT_URI. Its accounts are given by their login name:
// "nia@example.org" signs in as that address, verified; "unverified:x@example.org" as an
// address the provider has not verified. Its own login and consent pages (devInteractions)
// accept any password.
import Provider from "oidc-provider";

const [port, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: "eoi-test",
    client_secret: "eoi-test-secret",
    redirect_uris: [redirectUri],
    response_types: ["code"],
    grant_types: ["authorization_code"],
  }],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  scopes: ["openid", "email", "profile"],
  pkce: { required: () => false },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["eoi-test-cookie-key"] },
  async findAccount(ctx, login) {
    const unverified = login.startsWith("unverified:");
    const email = unverified ? login.slice("unverified:".length) : login;
    return {
      accountId: login,
      async claims() {
        return { sub: login, email, email_verified: !unverified, name: email.split("@")[0] };
      },
    };
  },
});
provider.proxy = false;
provider.listen(Number(port), "127.0.0.1", () => console.log(`listening ${issuer}`));
