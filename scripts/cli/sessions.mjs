// `baton sessions ...`: a user's live sessions (grants), and signing the user out everywhere,
// through the admin API's /admin/users/SUBJECT/grants and /admin/users/SUBJECT/revoke.
import { refuse } from "./errors.mjs";
import { cell, printable, table, time } from "./render.mjs";

const SUBJECT_FLAG = { "--subject": { value: "SUBJECT", help: "the user's subject (the sub of their tokens)" } };

const userPath = (subject) => `/admin/users/${encodeURIComponent(subject)}`;

/** A user's sessions as a table, one line per grant. */
export function renderSessions(subject, grants) {
  if (grants.length === 0) return `No live sessions for ${printable(subject)}.`;
  return table(
    [
      { title: "SID", value: (g) => cell(g.sid) },
      { title: "CLIENT ID", value: (g) => cell(g.client_id) },
      { title: "CREATED", value: (g) => time(g.created_at) },
      { title: "LAST USED", value: (g) => time(g.last_used_at) },
      { title: "EXPIRES", value: (g) => time(g.expires_at) },
      { title: "SCOPE", value: (g) => cell(g.scope) },
    ],
    grants,
  );
}

/** @type {import("./main.mjs").Group} */
export const sessions = {
  name: "sessions",
  summary: "a user's live sessions; sign a user out everywhere",
  commands: [
    {
      name: "list",
      summary: "the user's live sessions (grants), with their sids",
      flags: SUBJECT_FLAG,
      required: ["--subject"],
      async run({ flags, request, json }) {
        const subject = flags["--subject"];
        const path = `${userPath(subject)}/grants`;
        const { text, body } = await request("GET", path);
        if (!Array.isArray(body?.grants)) refuse(`GET ${path} did not answer a list of grants`);
        return json ? text : renderSessions(subject, body.grants);
      },
    },
    {
      name: "revoke",
      summary: "end every session of the user at once (sign out everywhere)",
      flags: SUBJECT_FLAG,
      required: ["--subject"],
      async run({ flags, request, json }) {
        const subject = flags["--subject"];
        await request("POST", `${userPath(subject)}/revoke`);
        return json ? "" : `Ended every session of ${printable(subject)}.`;
      },
    },
  ],
};
