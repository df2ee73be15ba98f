/**
 * Which user claims each scope releases.
 *
 * @see OIDC Core §5.4
 */
import { describe, expect, it } from "vitest";
import { claimsForScope, type UserClaims } from "../../src/tokens/claims";

const ALL: UserClaims = {
  email: "alice@example.com",
  email_verified: false,
  name: "Alice Liddell",
  given_name: "Alice",
  family_name: "Liddell",
};

describe("claimsForScope", () => {
  it("releases nothing without profile or email", () => {
    expect(claimsForScope(ALL, ["openid", "offline_access", "unknown"])).toEqual({});
  });

  it("releases name, given_name and family_name for profile", () => {
    expect(claimsForScope(ALL, ["profile"])).toEqual({
      name: "Alice Liddell",
      given_name: "Alice",
      family_name: "Liddell",
    });
  });

  it("releases email and email_verified for email, keeping a false email_verified", () => {
    expect(claimsForScope(ALL, ["email"])).toEqual({ email: "alice@example.com", email_verified: false });
  });

  it("releases both sets for both scopes, whatever their order", () => {
    expect(claimsForScope(ALL, ["email", "profile"])).toEqual(ALL);
    expect(claimsForScope(ALL, ["profile", "email"])).toEqual(ALL);
  });

  it("releases only the claims the user has", () => {
    expect(claimsForScope({ email: "bob@example.com" }, ["profile", "email"])).toEqual({ email: "bob@example.com" });
  });

  it("releases phone_number with phone, address with address, and any other claim with openid only", () => {
    const stored: UserClaims = {
      ...ALL,
      phone_number: "+1 555 0100",
      address: { country: "GB" },
      groups: ["admins"],
    };
    expect(claimsForScope(stored, ["profile", "email"])).toEqual(ALL);
    expect(claimsForScope(stored, ["phone", "address"])).toEqual({
      phone_number: "+1 555 0100",
      address: { country: "GB" },
    });
    expect(claimsForScope(stored, ["openid"])).toEqual({ groups: ["admins"] });
  });

  it("does not mistake inherited property names for scopes", () => {
    expect(claimsForScope(ALL, ["constructor", "toString", "__proto__"])).toEqual({});
  });
});
