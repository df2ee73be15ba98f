/** Reading the JSON object body of an admin call. */
import { invalidRequest } from "../errors";
import { readBodyCapped } from "./body";
import { repeatsMemberName } from "./repeated-names";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Reads a JSON object body (at most 64 KiB). An empty body reads as `{}` when `optional`.
 *
 * @throws OAuthError `invalid_request` for another media type, malformed JSON, a non-object or
 *   an object that repeats a member name.
 */
export async function readJsonObject(request: Request, optional = false): Promise<Record<string, unknown>> {
  const bytes = await readBodyCapped(request);
  if (bytes.length === 0 && optional) return {};
  const mediaType = request.headers.get("Content-Type")?.split(";", 1)[0]!.trim().toLowerCase();
  if (mediaType !== "application/json") {
    invalidRequest("The body must be application/json.");
  }
  let text: string;
  let parsed: unknown;
  try {
    text = utf8.decode(bytes);
    parsed = JSON.parse(text);
  } catch {
    invalidRequest("The body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    invalidRequest("The JSON body must be an object.");
  }
  if (repeatsMemberName(text)) invalidRequest("The JSON body gives a member name twice in one object.");
  return parsed as Record<string, unknown>;
}
