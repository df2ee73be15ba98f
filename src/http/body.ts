/**
 * Reading a request body with a hard size limit, so that an absurd body is cut off early
 * instead of buffered.
 */
import { readStreamCapped } from "../encoding/read-capped";
import { OAuthError, invalidRequest } from "../errors";

/** The largest body any endpoint reads. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * A body that could not be read to its end: the client went away (or its stream broke) in the
 * middle. It answers `invalid_request`, which nobody is left to read, and the log says what it was.
 */
export class BodyReadError extends OAuthError {
  constructor() {
    super("invalid_request", "The request body could not be read.");
  }
}

/**
 * Reads the whole body, refusing with 413 `invalid_request` as soon as it passes `limit` bytes
 * (by its declared `Content-Length`, or while streaming when it has none).
 *
 * @throws BodyReadError when the body breaks off before its end.
 */
export async function readBodyCapped(request: Request, limit = MAX_BODY_BYTES): Promise<Uint8Array> {
  try {
    return await readBody(request, limit);
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    throw new BodyReadError();
  }
}

async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("Content-Length");
  if (declared !== null && Number(declared) > limit) tooLarge();
  if (request.body === null) return new Uint8Array(0);
  // With a declared length within the limit, one read is cheaper than streaming chunk by chunk.
  // Over HTTP the runtime frames the body by that length; a Request built in code need not
  // match it, so the size is checked again.
  if (declared !== null && /^\d+$/.test(declared)) {
    const body = new Uint8Array(await request.arrayBuffer());
    if (body.byteLength > limit) tooLarge();
    return body;
  }
  return (await readStreamCapped(request.body, limit)) ?? tooLarge();
}

function tooLarge(): never {
  invalidRequest("The request body is too large.", 413);
}
