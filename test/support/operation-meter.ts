/**
 * Counting what a request costs on Cloudflare's bill, inside workerd: Worker requests, Durable
 * Object requests (each call on a stub is one billed request), rows read and written in each
 * object's SQLite storage, Workers KV operations, `fetch()` subrequests and log lines.
 *
 * The tests and the Durable Objects of the main Worker share one isolate here, so the runtime's
 * own classes can be instrumented where every caller meets them, the Worker and the objects alike:
 *
 * - `KvNamespace.prototype` (get, getWithMetadata, put, delete, list): Workers KV operations.
 * - `DurableObjectNamespace.prototype.get`: the stub it returns counts each method called on it,
 *   under the namespace's class (the objects' `env` holds the very same namespace objects).
 * - `SyncKvStorage.prototype`, `DurableObjectStorage.prototype`, `SqlStorage.prototype.exec`:
 *   storage calls inside the objects, attributed to the objects registered with
 *   {@link OperationMeter.register}.
 * - The global `fetch`, the `console` methods and the rate limiter's `limit`: subrequests, log
 *   lines and limiter calls (meter-globals.ts).
 *
 * Rows: the SQL API reports `rowsRead`/`rowsWritten` per cursor, and those are the billed rows.
 * The key-value API reports nothing, so each of its calls is replayed on a mirror table
 * (kv-mirror.ts) and the mirror's counts are taken. Cloudflare bills the key-value API's calls
 * as rows read and written of its hidden table, and each `setAlarm()` as one row written
 * (https://developers.cloudflare.com/durable-objects/platform/pricing/).
 */
import { env } from "cloudflare:workers";
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { replayOnMirror, startMirror } from "./kv-mirror";
import { instrumentGlobals, type Method } from "./meter-globals";
import { add, bump, emptyUsage, type Usage } from "./usage";
import { BASE } from "./worker";

export { emptyUsage, type Usage } from "./usage";

/** The Durable Object classes, by the namespace objects the Worker and the objects share. */
const CLASS_OF_NAMESPACE = new Map<object, string>([
  [env.GRANTS, "Grant"],
  [env.CLIENT_REGISTRY, "ClientRegistry"],
  [env.USER_SESSIONS, "UserSessions"],
  [env.USER_CODES, "UserCodes"],
]);

/** A registered object: its class, and its SQL API for the mirror. */
interface ObjectInfo {
  label: string;
  sql: SqlStorage;
}

type Patch = { owner: Record<string, unknown>; name: string; original: unknown };

/** Counts while a measurement is running; installed once per test file. */
export class OperationMeter {
  private usage: Usage = emptyUsage();
  private active = false;
  private cursors: { label: string; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }[] = [];
  private readonly objects = new WeakMap<object, ObjectInfo>();
  private readonly patches: Patch[] = [];
  private originalExec: SqlStorage["exec"] | undefined;
  private originalKvList: SyncKvStorage["list"] | undefined;
  /** The settings every measured request is sent with: one object, as in production. */
  private readonly env: Env;

  constructor(settings: Partial<Env> = {}) {
    this.env = { ...env, ...settings };
  }

  /** Instruments the runtime's classes; the prototypes come from a scratch object's storage. */
  async install(): Promise<void> {
    const scratch = env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(`meter-${crypto.randomUUID()}`));
    const prototypes = await runInDurableObject(scratch, (_instance, state) => ({
      kv: Object.getPrototypeOf(state.storage.kv) as Record<string, unknown>,
      storage: Object.getPrototypeOf(state.storage) as Record<string, unknown>,
      sql: Object.getPrototypeOf(state.storage.sql) as Record<string, unknown>,
    }));
    const kvNamespace = Object.getPrototypeOf(env.CLIENTS) as Record<string, unknown>;
    const doNamespace = Object.getPrototypeOf(env.GRANTS) as Record<string, unknown>;
    this.originalExec = prototypes.sql.exec as SqlStorage["exec"];
    this.originalKvList = prototypes.kv.list as SyncKvStorage["list"];
    const meter = this;

    for (const [name, counted] of [
      ["get", "get"],
      ["getWithMetadata", "get"],
      ["put", "put"],
      ["delete", "delete"],
      ["list", "list"],
    ] as const) {
      this.wrap(
        kvNamespace,
        name,
        (original) =>
          function (this: unknown, ...args: unknown[]) {
            if (meter.active) bump(meter.usage.kv, counted);
            return original.apply(this, args);
          },
      );
    }

    this.wrap(
      doNamespace,
      "get",
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          const stub = original.apply(this, args) as object;
          return meter.active ? meter.countingStub(stub, CLASS_OF_NAMESPACE.get(this as object) ?? "unknown") : stub;
        },
    );
    this.wrap(
      doNamespace,
      "jurisdiction",
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          const placed = original.apply(this, args) as object;
          const label = CLASS_OF_NAMESPACE.get(this as object);
          if (label !== undefined) CLASS_OF_NAMESPACE.set(placed, label);
          return placed;
        },
    );

    for (const name of ["get", "put", "delete", "list"] as const) {
      this.wrap(
        prototypes.kv,
        name,
        (original) =>
          function (this: unknown, ...args: unknown[]) {
            const result = original.apply(this, args);
            const info = meter.objects.get(this as object);
            const rows = info === undefined ? undefined : replayOnMirror(meter.originalExec!, info.sql, name, args);
            if (meter.active) meter.recordStorage(info, `kv.${name}`, rows);
            return result;
          },
      );
    }

    for (const name of ["get", "put", "delete", "list", "transaction", "getAlarm", "setAlarm", "deleteAlarm"]) {
      this.wrap(
        prototypes.storage,
        name,
        (original) =>
          function (this: unknown, ...args: unknown[]) {
            // Each setAlarm() is billed as one row written (the pricing page's footnote).
            if (meter.active) {
              meter.recordStorage(meter.objects.get(this as object), name, {
                read: 0,
                written: name === "setAlarm" ? 1 : 0,
              });
            }
            return original.apply(this, args);
          },
      );
    }
    this.wrap(
      prototypes.storage,
      "deleteAll",
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          const info = meter.objects.get(this as object);
          // workerd counts the keys first (SELECT count(*) FROM _cf_KV), then resets the database.
          const rows = info === undefined ? undefined : replayOnMirror(meter.originalExec!, info.sql, "count", []);
          if (meter.active) meter.recordStorage(info, "deleteAll", rows);
          return original.apply(this, args);
        },
    );

    this.wrap(
      prototypes.sql,
      "exec",
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          const cursor = original.apply(this, args) as SqlStorageCursor<Record<string, SqlStorageValue>>;
          const info = meter.objects.get(this as object);
          if (meter.active) {
            meter.recordStorage(info, "sql.exec", undefined);
            meter.cursors.push({ label: info?.label ?? "unregistered", cursor });
          }
          return cursor;
        },
    );

    instrumentGlobals(this.wrap.bind(this), () => (meter.active ? meter.usage : undefined));
  }

  /** Puts every prototype back as it was. */
  uninstall(): void {
    for (const { owner, name, original } of this.patches.reverse()) owner[name] = original;
    this.patches.length = 0;
  }

  /**
   * Attributes the storage of the object behind `stub` to `label`, and starts its mirror from
   * what the object holds now. An object the Worker creates during a measurement (a new grant,
   * a new user's index) is registered before it, which creates it early: its constructors touch
   * no storage, so that moves nothing.
   */
  async register(label: string, stub: DurableObjectStub): Promise<void> {
    const exec = this.originalExec!;
    const list = this.originalKvList!;
    await runInDurableObject(stub, (_instance, state) => {
      const info: ObjectInfo = { label, sql: state.storage.sql };
      this.objects.set(state.storage, info);
      this.objects.set(state.storage.kv, info);
      this.objects.set(state.storage.sql, info);
      startMirror(
        exec,
        info.sql,
        Array.from(list.call(state.storage.kv), ([key]) => key),
      );
    });
  }

  /** Sends one request to the Worker, as the edge would, and waits for its `waitUntil` work. */
  async send(path: string, init: RequestInit = {}): Promise<Response> {
    const request = new Request(BASE + path, { redirect: "manual", ...init });
    if (!request.headers.has("CF-Connecting-IP")) request.headers.set("CF-Connecting-IP", "198.18.0.1");
    const context = createExecutionContext();
    this.usage.workerRequests++;
    const response = await worker.fetch(request, this.env, context);
    await response.clone().arrayBuffer();
    await waitOnExecutionContext(context);
    return response;
  }

  /** Runs `work` (which sends its requests with {@link send}) and returns what they cost. */
  async measure(work: () => Promise<void>): Promise<Usage> {
    this.usage = emptyUsage();
    this.cursors = [];
    this.active = true;
    try {
      await work();
    } finally {
      this.active = false;
    }
    for (const { label, cursor } of this.cursors) {
      add(this.usage.rowsRead, label, cursor.rowsRead);
      add(this.usage.rowsWritten, label, cursor.rowsWritten);
    }
    return this.usage;
  }

  private wrap(owner: Record<string, unknown>, name: string, make: (original: Method) => Method): void {
    const original = owner[name];
    if (typeof original !== "function") throw new Error(`nothing to instrument at ${name}`);
    this.patches.push({ owner, name, original });
    owner[name] = make(original as Method);
  }

  /** A stub whose every method call counts as one request to `label`'s class. */
  private countingStub(stub: object, label: string): object {
    const meter = this;
    return new Proxy(stub, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property);
        if (typeof property === "symbol" || property === "then" || typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (meter.active) bump(meter.usage.durableObjectRequests, `${label}.${property}`);
          return (target as Record<string, (...args: unknown[]) => unknown>)[property]!(...args);
        };
      },
    });
  }

  private recordStorage(
    info: ObjectInfo | undefined,
    call: string,
    rows: { read: number; written: number } | undefined,
  ) {
    const label = info?.label ?? "unregistered";
    bump(this.usage.storageCalls, `${label} ${call}`);
    if (rows !== undefined) {
      add(this.usage.rowsRead, label, rows.read);
      add(this.usage.rowsWritten, label, rows.written);
    }
  }
}
