// The operations the benchmark measures, in the order its table lists them. Every system under
// test offers some of them as routes:
//
//   { id, operation, label, openChain(client, ctx, index, cell), step(client, ctx, state) | request + nextToken,
//     budgeted? }
//
// `id` is unique in a run ("baton/login", "oidc-provider-redis/introspection"); `operation` is
// one of the keys below, so that the report sets each system's route beside the others' of the
// same operation. A `budgeted` route consumes what `openChain` prepared (families to revoke):
// the runner says in `cell.budget` how many operations each chain may perform, from the rate the
// same system's refresh reached at the same concurrency.

/** Operation id → what one operation is, as the report's table names it. */
export const OPERATIONS = {
  refresh: "refresh (bearer)",
  "refresh-dpop": "refresh, DPoP proof",
  login: "login: authorize → hand-off → code exchange",
  "client-credentials": "client_credentials",
  introspection: "introspection of an access token",
  userinfo: "userinfo",
  revocation: "revocation of a refresh token",
  registration: "dynamic client registration",
  "token-exchange": "token exchange",
  "device-poll": "device code poll (pending)",
};
