// An oidc-provider storage adapter on Redis through ioredis, for the benchmark's durable
// oidc-provider. It mirrors the key layout and semantics of oidc-provider's own example Redis
// adapter (panva/node-oidc-provider, example/adapters/redis.js), which is what its users start
// from when they deploy it on Redis:
//
// - every key under the prefix `oidc:`, a model's as `<Model>:<id>` (`oidc:RefreshToken:abc`);
// - the consumable models (AuthorizationCode, RefreshToken, DeviceCode,
//   BackchannelAuthenticationRequest) as a hash with the JSON in `payload`, so that `consume`
//   is one HSET of `consumed` (an epoch second) beside it; every other model as a JSON string;
// - every key of a grantable model also pushed onto the list `grant:<grantId>`, whose expiry is
//   raised to the longest token's, and all of it deleted at once by `revokeByGrantId`;
// - lookup keys `uid:<uid>` (sessions) and `userCode:<code>` (device codes) holding the id;
// - one MULTI/EXEC per upsert; `destroy` deletes the model's key only.
//
// Like the example, the pushed authorization request (PAR), which oidc-provider also consumes,
// is stored as a string; the benchmark's clients do not use PAR.
import Redis from "ioredis";

const GRANTABLE = new Set([
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
]);

const CONSUMABLE = new Set(["AuthorizationCode", "RefreshToken", "DeviceCode", "BackchannelAuthenticationRequest"]);

const grantKeyFor = (grantId) => `grant:${grantId}`;
const userCodeKeyFor = (userCode) => `userCode:${userCode}`;
const uidKeyFor = (uid) => `uid:${uid}`;

/**
 * Connects to Redis at `url` (one connection: ioredis pipelines the concurrent requests' commands
 * over it) and returns the adapter class to give oidc-provider as `adapter`, with the client.
 *
 * @param {string} url e.g. `redis://127.0.0.1:6379`
 * @returns {{ Adapter: new (model: string) => object, client: import("ioredis").Redis }}
 */
export function redisAdapter(url) {
  const client = new Redis(url, { keyPrefix: "oidc:" });

  class RedisAdapter {
    /** @param {string} model oidc-provider's model name ("Session", "RefreshToken", ...) */
    constructor(model) {
      this.model = model;
      this.consumable = CONSUMABLE.has(model);
    }

    key(id) {
      return `${this.model}:${id}`;
    }

    async upsert(id, payload, expiresIn) {
      const key = this.key(id);
      const multi = client.multi();
      if (this.consumable) multi.hset(key, { payload: JSON.stringify(payload) });
      else multi.set(key, JSON.stringify(payload));
      if (expiresIn) multi.expire(key, expiresIn);

      if (GRANTABLE.has(this.model) && payload.grantId) {
        const grantKey = grantKeyFor(payload.grantId);
        multi.rpush(grantKey, key);
        // As in the example: the list lives as long as its longest-lived token (a TTL read
        // outside the transaction; -1 or -2 when it has none or does not exist yet).
        const ttl = await client.ttl(grantKey);
        if (expiresIn > ttl) multi.expire(grantKey, expiresIn);
      }
      if (payload.userCode) {
        multi.set(userCodeKeyFor(payload.userCode), id);
        if (expiresIn) multi.expire(userCodeKeyFor(payload.userCode), expiresIn);
      }
      if (payload.uid) {
        multi.set(uidKeyFor(payload.uid), id);
        if (expiresIn) multi.expire(uidKeyFor(payload.uid), expiresIn);
      }
      await multi.exec();
    }

    async find(id) {
      if (this.consumable) {
        const { payload, ...rest } = await client.hgetall(this.key(id));
        // HGETALL of a missing key is {}; `rest` is `consumed` once the code or token is spent.
        return payload === undefined ? undefined : { ...rest, ...JSON.parse(payload) };
      }
      const data = await client.get(this.key(id));
      return data === null ? undefined : JSON.parse(data);
    }

    async findByUid(uid) {
      const id = await client.get(uidKeyFor(uid));
      return id === null ? undefined : this.find(id);
    }

    async findByUserCode(userCode) {
      const id = await client.get(userCodeKeyFor(userCode));
      return id === null ? undefined : this.find(id);
    }

    async destroy(id) {
      await client.del(this.key(id));
    }

    async consume(id) {
      await client.hset(this.key(id), "consumed", Math.floor(Date.now() / 1000));
    }

    async revokeByGrantId(grantId) {
      const grantKey = grantKeyFor(grantId);
      const keys = await client.lrange(grantKey, 0, -1);
      const multi = client.multi();
      for (const key of keys) multi.del(key);
      multi.del(grantKey);
      await multi.exec();
    }
  }

  return { Adapter: RedisAdapter, client };
}
