/**
 * Device authorizations as older deployments stored them, for the tests of what reads them.
 */
import { runInDurableObject } from "cloudflare:test";
import { sidOfDeviceCode } from "../../src/device/codes";
import { grantStub } from "./families";

/** Rewrites `deviceCode`'s stored authorization as one made before it kept the client's kind. */
export async function storeWithoutClientKind(deviceCode: string): Promise<void> {
  await runInDurableObject(grantStub(sidOfDeviceCode(deviceCode)!), (_instance, state) => {
    const { clientKind: _kind, ...older } = state.storage.kv.get<Record<string, unknown>>("device")!;
    state.storage.kv.put("device", older);
  });
}
