/**
 * POSTing a small form to a URL a client named (its back-channel logout URI): one request that
 * costs Baton a bounded amount whatever the other side does. No redirect is followed, the
 * exchange is cut off past a time limit, and the answer's body is never read. In production the
 * `global_fetch_strictly_public` compatibility flag keeps such requests off private addresses.
 *
 * @see bounded-fetch.ts, the GET of the same kind
 */

/** The outcome of one POST: the status when one came back, or why none did. */
export type PostOutcome =
  { ok: true; status: number } | { ok: false; reason: "network" | "timeout" | "redirect"; status?: number };

/** POSTs `form` as `application/x-www-form-urlencoded` within `timeoutMs`. Never throws. */
export async function postForm(url: string, form: URLSearchParams, timeoutMs: number): Promise<PostOutcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      redirect: "manual",
      signal,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
  } catch {
    return { ok: false, reason: signal.aborted ? "timeout" : "network" };
  }
  // The answer's status is all that counts: its body, whatever its size, is never read.
  await response.body?.cancel().catch(() => {});
  if (response.status >= 300 && response.status < 400)
    return { ok: false, reason: "redirect", status: response.status };
  return { ok: true, status: response.status };
}
