// `baton grants revoke SID`: end one session (one refresh token family), everywhere, at once,
// through the admin API's /admin/grants/SID/revoke.
import { printable } from "./render.mjs";

/** @type {import("./main.mjs").Group} */
export const grants = {
  name: "grants",
  summary: "end one session by its sid",
  commands: [
    {
      name: "revoke",
      operands: ["SID"],
      summary: "end the grant SID (sign one session out): its tokens stop working at once",
      async run({ operands: [sid], request, json }) {
        await request("POST", `/admin/grants/${encodeURIComponent(sid)}/revoke`);
        return json ? "" : `Revoked grant ${printable(sid)}.`;
      },
    },
  ],
};
