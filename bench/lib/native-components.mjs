// Which part of workerd a native symbol belongs to, for bench/native.mjs. workerd's binary ships
// with its symbol table, so perf names its C++ (demangled), C and Rust functions; the code V8's
// compilers made at run time has no name (no perf map is written) and counts as JavaScript.
// A frame is `{ symbol, dso }`: its normalized name and the file it is in, as perf says them.

/** The components, in the order the tables explain them. */
export const COMPONENTS = [
  "JavaScript (V8's compiled code)",
  "V8 builtins and interpreter",
  "V8 runtime",
  "V8 heap (garbage collection, allocation)",
  "workerd JS bindings (jsg)",
  "workerd APIs",
  "workerd runtime",
  "HTTP (hyper)",
  "KJ (event loop, promises, I/O)",
  "Cap'n Proto (RPC)",
  "SQLite (object storage)",
  "BoringSSL (crypto)",
  "allocator (tcmalloc)",
  "libraries (absl, ada, simdutf, C++ runtime)",
  "libc",
  "kernel",
  "other",
];

// The heap's own work: collecting, and the allocation paths that may start a collection.
const V8_HEAP =
  /^(cppgc::|v8::internal::(Scavenger|Heap::|Heap<|MarkCompact|MinorMarkSweep|MinorMS|ArrayBufferSweeper|Sweeper|ConcurrentMarking|MarkingVisitor|MarkingBarrier|IncrementalMarking|EvacuationVerifier|Evacuat|PagedSpace|NewSpace|SemiSpace|MemoryAllocator|MutablePageMetadata|RememberedSet|SlotSet|TypedSlot|LocalHeap|CppHeap|GCTracer|ScavengerCollector))/;
// SQLite is one C file: its exported functions say sqlite3, its static ones name their module.
const SQLITE =
  /^(sqlite3|wal[A-Z]|btree|pager|vdbe|pcache|unix[A-Z]|balance|moveToChild|moveToRoot|getAndInitPage|accessPayload|insertCell|dropCell|fillInCell|allocateSpace|defragmentPage|freePage|releasePage|decodeFlags|cellSize|sqlite)/;
const BORINGSSL =
  /^(_?_?ecp_nistz256|ec_|EC_|ECDSA_|ecdsa_|EVP_|evp_|bn_|BN_|sha256_block|sha512_block|SHA256|SHA512|HMAC|hmac_|aes_|AES_|aes_hw|gcm_|CRYPTO_|OPENSSL_|bssl::|ed25519|x25519|fiat_|p256_|ecp_|BIO_|RSA_|rsa_|ChaCha|CRYPTO)/;

/**
 * A symbol as the tables match it: thunks and Rust's `<Type as Trait>` brackets dropped, and the
 * few names perf leaves mangled given the namespace they start with.
 */
export function normalize(name) {
  let plain = name.replace(/^non-virtual thunk to /, "").replace(/^</, "");
  for (const [mangled, namespace] of MANGLED)
    if (plain.startsWith(mangled)) plain = namespace + plain.slice(mangled.length);
  return plain;
}

const MANGLED = [
  ["_ZZN7workerd3jsg", "workerd::jsg::"],
  ["_ZN7workerd3jsg", "workerd::jsg::"],
  ["_ZN7workerd3api", "workerd::api::"],
  ["_ZN7workerd", "workerd::"],
  ["_ZN2v88internal", "v8::internal::"],
  ["_ZN2v8", "v8::"],
  ["_ZN2kj", "kj::"],
  ["_ZN5capnp", "capnp::"],
];

/** Whether a frame is code V8 compiled at run time: perf knows no file or name for it. */
function isCompiledJavaScript({ symbol, dso }) {
  return dso === "[unknown]" || dso === "[JIT]" || /^perf-\d+\.map$/.test(dso) || symbol.startsWith("0x");
}

/** Whether a frame is the kernel's: perf names its image and modules in brackets. */
function isKernel({ dso }) {
  return /^\[/.test(dso) && !["[unknown]", "[JIT]", "[vdso]", "[vsyscall]"].includes(dso);
}

/** The component of a frame's own code. */
export function componentOf(frame) {
  const name = frame.symbol;
  if (isKernel(frame)) return "kernel";
  if (isCompiledJavaScript(frame)) return "JavaScript (V8's compiled code)";
  if (/^libc[.-]|^ld-linux|^libm[.-]|^libpthread/.test(frame.dso)) return "libc";
  if (/^(tcmalloc|TCMalloc)/.test(name)) return "allocator (tcmalloc)";
  if (SQLITE.test(name)) return "SQLite (object storage)";
  if (BORINGSSL.test(name)) return "BoringSSL (crypto)";
  if (/^(Builtins_|Builtin:|v8::internal::Builtin|v8::internal::interpreter::)/.test(name)) {
    return "V8 builtins and interpreter";
  }
  if (V8_HEAP.test(name)) return "V8 heap (garbage collection, allocation)";
  if (name.startsWith("v8::") || name.startsWith("v8_inspector::")) return "V8 runtime";
  if (name.startsWith("workerd::jsg::")) return "workerd JS bindings (jsg)";
  if (name.startsWith("workerd::api::")) return "workerd APIs";
  if (name.startsWith("workerd") || name.startsWith("edgeworker::")) return "workerd runtime";
  if (/hyper|^http::|^h2::|^tokio::/.test(name)) return "HTTP (hyper)";
  if (name.startsWith("kj::") || name.startsWith("kj_")) return "KJ (event loop, promises, I/O)";
  if (name.startsWith("capnp::")) return "Cap'n Proto (RPC)";
  if (/^(absl::|ada::|simdutf::|std::|__cxa|__dynamic_cast|__gxx|operator new|operator delete)/.test(name)) {
    return "libraries (absl, ada, simdutf, C++ runtime)";
  }
  return "other";
}

/**
 * What the process was doing, named by the innermost frame of a sample's stack that says so: a
 * kernel write under SQLite is storage, a malloc under the RPC layer is RPC. Checked in order,
 * frame by frame from the leaf.
 */
export const ACTIVITIES = [
  // The local runtime makes each commit durable with an fsync on its own thread; production is
  // described as making it durable by replicating the commit's log to other machines.
  [
    "Durable Object storage: fsync to the local disk",
    (f) => /^(__x64_sys_fsync|__x64_sys_fdatasync|do_fsync)$/.test(f.symbol),
  ],
  // Miniflare's KV runs in the same process on SQLite of its own, and counts here too.
  ["Durable Object storage (SQLite, its other writes)", (f) => SQLITE.test(f.symbol) || STORAGE.test(f.symbol)],
  [
    "WebCrypto (BoringSSL)",
    (f) => BORINGSSL.test(f.symbol) || /^workerd::api::(SubtleCrypto|CryptoKey|.*Crypto)/.test(f.symbol),
  ],
  [
    "V8 heap (garbage collection, allocation)",
    (f) => V8_HEAP.test(f.symbol) || f.symbol.startsWith("workerd::jsg::HeapTracer"),
  ],
  ["RPC to the Durable Object (Cap'n Proto)", (f) => RPC.test(f.symbol)],
  ["HTTP (server, Request, Response, Headers, bodies)", (f) => HTTP.test(f.symbol)],
  ["KV binding", (f) => /^workerd::api::KvNamespace/.test(f.symbol)],
  ["workerd JS bindings (jsg)", (f) => f.symbol.startsWith("workerd::jsg::")],
  ["JavaScript and V8", (f) => isCompiledJavaScript(f) || /^(Builtins_|v8::|v8_inspector::)/.test(f.symbol)],
];

const STORAGE =
  /^workerd::(ActorSqlite|SqliteDatabase|SqliteKv|SqliteMetadata|ActorCache|api::DurableObjectStorage|api::SqlStorage|api::SyncKvStorage)/;
const RPC = /^(capnp::|workerd::rpc::|workerd::api::JsRpc)/;
// V8's structured clone serves both the RPC to an object and the object's storage: a frame of
// it takes the activity of what called it.
const SERIALIZER = /^(v8::internal::Value(De)?[Ss]erializer|v8::Value(De)?[Ss]erializer|workerd::jsg::(De)?[Ss]er)/;
const HTTP =
  /hyper|^http::|^kj::HttpServer|^kj::(\(anonymous namespace\)::)?Http|^workerd::api::(Request|Response|Headers|Body|ReadableStream|WritableStream|ServiceWorkerGlobalScope::request)/;

/**
 * A sample's activity: {@link ACTIVITIES}' first match walking from the leaf (a serializer's
 * frame skipped, so that its caller decides), else the kernel's entry (the system call, a page
 * fault) for a sample in the kernel, else its leaf's component. `frames` are leaf first.
 */
export function activityOf(frames) {
  for (const [index, frame] of frames.entries()) {
    if (SERIALIZER.test(frame.symbol)) continue;
    for (const [activity, matches] of ACTIVITIES) {
      if (!matches(frame)) continue;
      // A V8 helper the collector called is the collector's work, not the script's.
      if (activity === "JavaScript and V8" && collecting(frames.slice(index + 1))) return V8_HEAP_ACTIVITY;
      return activity;
    }
  }
  if (frames.some((frame) => SERIALIZER.test(frame.symbol))) return "RPC to the Durable Object (Cap'n Proto)";
  const leaf = componentOf(frames[0]);
  return leaf === "kernel" ? `kernel: ${kernelEntry(frames)}` : leaf;
}

const V8_HEAP_ACTIVITY = "V8 heap (garbage collection, allocation)";

/** Whether the frames above a V8 helper, up to the script that ran it, are the heap's. */
function collecting(outer) {
  for (const frame of outer) {
    if (isCompiledJavaScript(frame) || frame.symbol.startsWith("Builtins_")) return false;
    if (V8_HEAP.test(frame.symbol)) return true;
  }
  return false;
}

/** What brought a kernel sample into the kernel: its system call, a page fault, an interrupt. */
function kernelEntry(frames) {
  for (const { symbol: frame } of frames) {
    const call = /^__(?:x64|ia32)_sys_(\w+)|^__do_sys_(\w+)|^ksys_(\w+)/.exec(frame);
    if (call) return `${call[1] ?? call[2] ?? call[3]}()`;
    if (/page_fault/.test(frame)) return "page fault";
    if (/^asm_(common_interrupt|sysvec_)/.test(frame)) return "interrupt";
    if (/^(schedule|finish_task_switch)/.test(frame)) return "scheduling";
  }
  return "other";
}
