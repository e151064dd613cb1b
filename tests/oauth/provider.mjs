// A real OAuth 2.0 authorization server for tests/oauth.rs: oidc-provider
// (npm), a certified OpenID Provider, issuing client_credentials tokens
// that live TTL seconds and answering RFC 7662 introspection.
//   node provider.mjs PORT TTL
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const ttl = Number(process.argv[3] || 1);
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    // The harness: fetches tokens (client_secret_basic or _post).
    { client_id: 'scimcheck', client_secret: 'scimcheck-client-secret-0f3c', grant_types: ['client_credentials'], redirect_uris: [], response_types: [], scope: 'scim', token_endpoint_auth_method: 'client_secret_basic' },
    { client_id: 'scimcheck-post', client_secret: 'scimcheck-post-secret-7a21', grant_types: ['client_credentials'], redirect_uris: [], response_types: [], scope: 'scim', token_endpoint_auth_method: 'client_secret_post' },
    // The SCIM server: introspects the tokens it is sent.
    { client_id: 'scim-server', client_secret: 'scim-server-secret-9d84', grant_types: [], redirect_uris: [], response_types: [] },
  ],
  scopes: ['scim'],
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    devInteractions: { enabled: false },
  },
  ttl: { ClientCredentials: ttl },
});
provider.listen(port, '127.0.0.1', () => console.log(`listening ${port}`));
