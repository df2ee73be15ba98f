// The MCP SDK's OAuthClientProvider for a client with no browser: everything is kept in memory,
// and "redirecting the user" means signing in through Baton's development login over HTTP
// (./browser.mjs) and keeping the code for `transport.finishAuth`.
import { randomBytes } from "node:crypto";
import { DEFAULT_USER, codeFrom, signIn } from "./browser.mjs";

export class DevLoginProvider {
  /**
   * @param {object} options
   * @param {string} options.redirectUrl where Baton sends the code (nothing needs to listen)
   * @param {object} options.clientMetadata what dynamic registration sends (RFC 7591)
   * @param {object} [options.clientInformation] a client known in advance (pre-registered, or a
   *   Client ID Metadata Document's URL as `client_id`); without one the SDK registers
   * @param {string} options.issuer Baton's issuer, which the authorization response must name
   * @param {object} [options.user] who signs in at the development login
   */
  constructor({ redirectUrl, clientMetadata, clientInformation, issuer, user = DEFAULT_USER }) {
    this._redirectUrl = redirectUrl;
    this._clientMetadata = clientMetadata;
    this._clientInformation = clientInformation;
    this._issuer = issuer;
    this.user = user;
    /** Whether a request to sign in is answered; when false it is only counted. */
    this.signInAllowed = true;
    /** Authorization URLs the SDK sent the user to, in order. */
    this.authorizationRequests = [];
    /** The code of the last sign-in, for `transport.finishAuth`. */
    this.authorizationCode = undefined;
    /** Every token response saved, in order. */
    this.savedTokens = [];
    this._state = undefined;
    this._verifier = undefined;
    this._discovery = undefined;
  }

  get redirectUrl() {
    return this._redirectUrl;
  }

  get clientMetadata() {
    return this._clientMetadata;
  }

  state() {
    this._state = randomBytes(16).toString("base64url");
    return this._state;
  }

  clientInformation() {
    return this._clientInformation;
  }

  saveClientInformation(information) {
    this._clientInformation = information;
  }

  tokens() {
    return this.savedTokens.at(-1);
  }

  saveTokens(tokens) {
    this.savedTokens.push(tokens);
  }

  saveCodeVerifier(verifier) {
    this._verifier = verifier;
  }

  codeVerifier() {
    if (this._verifier === undefined) throw new Error("no code verifier saved");
    return this._verifier;
  }

  saveDiscoveryState(state) {
    this._discovery = state;
  }

  discoveryState() {
    return this._discovery;
  }

  invalidateCredentials(scope) {
    if (scope === "all" || scope === "tokens") this.savedTokens.push(undefined);
    if (scope === "all" || scope === "client") this._clientInformation = undefined;
    if (scope === "all" || scope === "verifier") this._verifier = undefined;
    if (scope === "all" || scope === "discovery") this._discovery = undefined;
  }

  async redirectToAuthorization(authorizationUrl) {
    this.authorizationRequests.push(authorizationUrl);
    if (!this.signInAllowed) return;
    const callback = await signIn(authorizationUrl, this.user);
    const expected = new URL(this._redirectUrl);
    if (callback.origin + callback.pathname !== expected.origin + expected.pathname) {
      throw new Error(`Baton redirected to ${callback.origin}${callback.pathname}, not to ${this._redirectUrl}`);
    }
    this.authorizationCode = codeFrom(callback, { state: this._state, issuer: this._issuer });
  }
}
