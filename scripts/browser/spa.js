// The single-page app of the browser check: a public client using oidc-client-ts as any SPA
// would, with its session in localStorage so that every tab shares it. The check drives it
// through `window.app`; each page says what happened in `document.body.dataset.state`.
import { UserManager, WebStorageStateStore } from "oidc-client-ts";

const config = JSON.parse(document.getElementById("config").textContent);
const manager = new UserManager({
  authority: config.issuer,
  client_id: config.clientId,
  redirect_uri: `${location.origin}/callback`,
  post_logout_redirect_uri: `${location.origin}/signed-out`,
  response_type: "code",
  scope: "openid profile email offline_access",
  loadUserInfo: true,
  automaticSilentRenew: false,
  userStore: new WebStorageStateStore({ store: window.localStorage }),
});

/** What the check reads of a user: tokens and the profile, nothing the library keeps to itself. */
function describe(user) {
  return user === null
    ? null
    : {
        access_token: user.access_token,
        id_token: user.id_token,
        refresh_token: user.refresh_token,
        profile: user.profile,
      };
}

function settle(state, detail) {
  window.appResult = detail;
  document.body.dataset.state = state;
}

function fail(error) {
  settle("error", { message: String(error && error.message ? error.message : error) });
}

window.app = {
  signIn: () => manager.signinRedirect({ state: { from: "check" } }),
  user: async () => describe(await manager.getUser()),
  /** One refresh with the stored refresh token, as signinSilent does when it has one. */
  refresh: async () => describe(await manager.signinSilent()),
  signOut: () => manager.signoutRedirect({ state: { from: "check" } }),
};

if (location.pathname === "/callback") {
  manager.signinRedirectCallback().then((user) => settle("signed-in", describe(user)), fail);
} else if (location.pathname === "/signed-out") {
  manager.signoutRedirectCallback().then((response) => settle("signed-out", { state: response.userState }), fail);
} else {
  settle("ready", null);
}
