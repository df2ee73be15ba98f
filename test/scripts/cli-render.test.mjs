import { describe, expect, it } from "vitest";
import { SHOWN_ONCE, renderClient, renderClientList } from "../../scripts/cli/clients.mjs";
import { cell, fields, printable, table, time } from "../../scripts/cli/render.mjs";
import { renderSessions } from "../../scripts/cli/sessions.mjs";

const CLIENT = {
  client_id: "client_abc",
  client_id_issued_at: 1767225600,
  redirect_uris: ["https://acme.example/cb", "http://127.0.0.1/cb"],
  grant_types: ["authorization_code", "refresh_token"],
  token_endpoint_auth_method: "client_secret_basic",
  scope: "openid email offline_access",
  client_name: "Acme",
  client_secrets: [
    { client_secret_id: "cs_1", created_at: 1767225600 },
    { client_secret_id: "cs_2", created_at: 1767229200 },
  ],
};

describe("table", () => {
  it("pads every column but the last to its widest cell, two spaces apart, no trailing spaces", () => {
    const columns = [
      { title: "ID", value: (row) => row.id },
      { title: "NAME", value: (row) => row.name },
    ];
    expect(
      table(columns, [
        { id: "a-long-id", name: "x" },
        { id: "b", name: "" },
      ]),
    ).toBe(["ID         NAME", "a-long-id  x", "b"].join("\n"));
  });

  it("measures in characters, not UTF-16 units", () => {
    const columns = [
      { title: "N", value: (row) => row.n },
      { title: "M", value: () => "|" },
    ];
    // U+1D49C is two UTF-16 units and one character wide.
    expect(table(columns, [{ n: "\u{1d49c}\u{1d49c}" }, { n: "abc" }])).toBe(
      ["N    M", "\u{1d49c}\u{1d49c}   |", "abc  |"].join("\n"),
    );
  });
});

describe("cells and times", () => {
  it("shows nothing as -, lists joined, objects as JSON, times in UTC without fractions", () => {
    expect([cell(undefined), cell(null), cell(""), cell([])]).toEqual(["-", "-", "-", "-"]);
    expect(cell(["a", "b"])).toBe("a, b");
    expect(cell({ keys: [] })).toBe('{"keys":[]}');
    expect(time(1767225600)).toBe("2026-01-01T00:00:00Z");
    expect(time(undefined)).toBe("-");
  });

  it("escapes control characters and bidirectional overrides a server might send", () => {
    expect(printable("evil\u001b[2Jname\u202e")).toBe("evil\\u001b[2Jname\\u202e");
    expect(cell("tab\there")).toBe("tab\\u0009here");
  });

  it("puts each value of a list on a line of its own", () => {
    expect(
      fields([
        ["a", "1"],
        ["longer", ["x", "y"]],
        ["none", []],
      ]),
    ).toBe(["a       1", "longer  x", "        y", "none    -"].join("\n"));
  });
});

describe("renderClient", () => {
  it("shows a client's fields in a fixed order, each redirect URI and secret id on its own line", () => {
    expect(renderClient(CLIENT)).toBe(
      [
        "client_id                   client_abc",
        "client_name                 Acme",
        "redirect_uris               https://acme.example/cb",
        "                            http://127.0.0.1/cb",
        "grant_types                 authorization_code",
        "                            refresh_token",
        "token_endpoint_auth_method  client_secret_basic",
        "scope                       openid email offline_access",
        "client_id_issued_at         2026-01-01T00:00:00Z",
        "client_secrets              cs_1  created 2026-01-01T00:00:00Z",
        "                            cs_2  created 2026-01-01T01:00:00Z",
      ].join("\n"),
    );
  });

  it("shows fields it does not know after the known ones, and a new secret last, with the line saying it is shown once", () => {
    const created = {
      ...CLIENT,
      client_secrets: [{ client_secret_id: "cs_1", created_at: 1767225600 }],
      jwks_uri: "https://acme.example/jwks",
      future_field: { a: 1 },
      client_secret: "bsk_secret",
      client_secret_id: "cs_1",
      client_secret_expires_at: 0,
    };
    const lines = renderClient(created).split("\n");
    expect(lines.slice(-8)).toEqual(
      [
        "jwks_uri                    https://acme.example/jwks",
        "client_id_issued_at         2026-01-01T00:00:00Z",
        'future_field                {"a":1}',
        "client_secrets              cs_1  created 2026-01-01T00:00:00Z",
        "client_secret_id            cs_1",
        "client_secret               bsk_secret",
        "client_secret_expires_at    never",
        "",
      ]
        .concat(SHOWN_ONCE)
        .slice(1),
    );
  });

  it("says nothing about a secret when there is none in the answer", () => {
    expect(renderClient(CLIENT)).not.toContain(SHOWN_ONCE);
  });
});

describe("renderClientList", () => {
  it("shows one line per client and says where more follow", () => {
    const clients = [
      CLIENT,
      {
        client_id: "client_m2m",
        grant_types: ["client_credentials"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ];
    expect(renderClientList(clients, null)).toBe(
      [
        "CLIENT ID   NAME  AUTH METHOD          GRANT TYPES",
        "client_abc  Acme  client_secret_basic  authorization_code, refresh_token",
        "client_m2m  -     client_secret_post   client_credentials",
      ].join("\n"),
    );
    expect(renderClientList(clients, "c2").split("\n").slice(-2)).toEqual(["", "2 shown; more follow: --cursor c2"]);
    expect(renderClientList([], null)).toBe("No clients.");
  });
});

describe("renderSessions", () => {
  it("shows one line per live grant, and says so when there is none", () => {
    const grants = [
      {
        sid: "sid_1",
        client_id: "client_abc",
        scope: "openid email offline_access",
        created_at: 1767225600,
        last_used_at: 1767229200,
        expires_at: 1775001600,
      },
    ];
    expect(renderSessions("user_1", grants)).toBe(
      [
        "SID    CLIENT ID   CREATED               LAST USED             EXPIRES               SCOPE",
        "sid_1  client_abc  2026-01-01T00:00:00Z  2026-01-01T01:00:00Z  2026-04-01T00:00:00Z  openid email offline_access",
      ].join("\n"),
    );
    expect(renderSessions("user\u001b", [])).toBe("No live sessions for user\\u001b.");
  });
});
