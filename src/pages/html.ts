/**
 * Small server-rendered HTML pages (error pages, the landing page, the development login).
 * Every dynamic value goes through {@link escapeHtml}.
 */

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A complete page: `body` must already be safe HTML. */
export function htmlPage(title: string, body: string, status = 200): Response {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1d1d1f; }
  h1 { font-size: 1.5rem; } code { background: #f2f2f2; padding: 0 .25rem; border-radius: 3px; }
  label { display: block; margin: .75rem 0 .25rem; } input { width: 100%; padding: .4rem; font: inherit; box-sizing: border-box; }
  button { margin: 1rem .5rem 0 0; padding: .5rem 1.25rem; font: inherit; cursor: pointer; }
  button.primary { background: #0a66d8; color: #fff; border: 1px solid #0a66d8; border-radius: 4px; font-weight: 600; }
  .muted { color: #6e6e73; font-size: .9rem; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
  return new Response(html, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      // Nothing here needs scripts or framing; say so to the browser.
      "Content-Security-Policy":
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      "X-Content-Type-Options": "nosniff",
      // A page's URL may hold an authorization request id; no link or form sends it onwards.
      "Referrer-Policy": "no-referrer",
    },
  });
}

/**
 * The CSP source that allows `uri` as a form's destination: the origin of an http(s) URI, or the
 * scheme alone of a native app's URI (a CSP scheme-source).
 */
export function cspSource(uri: string): string {
  const url = new URL(uri);
  return url.protocol === "https:" || url.protocol === "http:" ? url.origin : url.protocol;
}
