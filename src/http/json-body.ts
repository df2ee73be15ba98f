/** Reading the JSON object body of an admin call. */
import { invalidRequest } from "../errors";
import { readBodyCapped } from "./body";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Reads a JSON object body (at most 64 KiB). An empty body reads as `{}` when `optional`.
 *
 * @throws OAuthError `invalid_request` for another media type, malformed JSON or a non-object.
 */
export async function readJsonObject(request: Request, optional = false): Promise<Record<string, unknown>> {
  const bytes = await readBodyCapped(request);
  if (bytes.length === 0 && optional) return {};
  const mediaType = request.headers.get("Content-Type")?.split(";", 1)[0]!.trim().toLowerCase();
  if (mediaType !== "application/json") {
    invalidRequest("The body must be application/json.");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(bytes));
  } catch {
    invalidRequest("The body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    invalidRequest("The JSON body must be an object.");
  }
  return parsed as Record<string, unknown>;
}
