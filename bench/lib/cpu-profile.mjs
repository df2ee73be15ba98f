// Reading a V8 CPU profile of a bundled Worker: where its JavaScript time went, by source file
// of the bundle (esbuild's `// path` markers) and by function, self and inclusive.

/**
 * Prints the profile's time per unit of work (`units`: requests, runs) by source file, by function
 * (self time) and by function (inclusive); `bundle` is the bundle's text, split into lines, and
 * `rows` how many lines each table shows.
 * @returns the profile's whole time in microseconds
 */
export function printProfile(profile, bundle, units, rows = 30) {
  const byFile = new Map();
  const byFunction = new Map();
  let total = 0;
  const selfTime = selfTimes(profile);
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
  for (const node of profile.nodes) {
    const micros = selfTime.get(node.id) ?? 0;
    if (micros === 0) continue;
    total += micros;
    const frame = node.callFrame;
    const file = frame.url ? sourceOf(bundle, frame.lineNumber) : frame.functionName || "(native)";
    add(byFile, file, micros);
    // A runtime API (no script URL) is named with its JavaScript caller, which says which call it is.
    const caller = frame.url ? undefined : parents.get(node.id)?.callFrame;
    const where = caller?.url
      ? `called from ${caller.functionName || "(anonymous)"}  ${sourceOf(bundle, caller.lineNumber)}`
      : `${file}:${frame.lineNumber + 1}`;
    add(byFunction, `${frame.functionName || "(anonymous)"}  ${where}`, micros);
  }
  const perUnit = (micros) => (micros / units).toFixed(1).padStart(8);
  console.log("µs/unit by source file");
  for (const [file, micros] of top(byFile, rows)) console.log(`${perUnit(micros)}  ${file}`);
  console.log("\nµs/unit by function (self time)");
  for (const [name, micros] of top(byFunction, rows)) console.log(`${perUnit(micros)}  ${name}`);
  // Inclusive time: a function's own samples and its callees', so that a step's whole cost shows
  // (a function on the stack twice is counted once per sample).
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const inclusive = new Map();
  const walk = (node, seen) => {
    const frame = node.callFrame;
    const name = frame.url
      ? `${frame.functionName || "(anonymous)"}  ${sourceOf(bundle, frame.lineNumber)}`
      : undefined;
    const fresh = name !== undefined && !seen.has(name);
    const inner = fresh ? new Set([...seen, name]) : seen;
    let micros = selfTime.get(node.id) ?? 0;
    for (const child of node.children ?? []) micros += walk(byId.get(child), inner);
    if (fresh) add(inclusive, name, micros);
    return micros;
  };
  walk(profile.nodes[0], new Set());
  console.log("\nµs/unit by function (inclusive)");
  for (const [name, micros] of top(inclusive, rows + 10)) console.log(`${perUnit(micros)}  ${name}`);
  return total;
}

/** Self time per profile node, in microseconds, from the samples and their time deltas. */
function selfTimes(profile) {
  const times = new Map();
  profile.samples.forEach((id, i) => times.set(id, (times.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  return times;
}

/** The source file a line of the bundle came from, by the `// path` markers esbuild writes. */
function sourceOf(lines, lineNumber) {
  for (let i = Math.min(lineNumber, lines.length - 1); i >= 0; i--) {
    const match = /^\/\/ ([\w@.\/-]+\.[cm]?[jt]s)$/.exec(lines[i]);
    if (match) return match[1].replace(/^(\.\.\/)+/, "");
  }
  return "(bundle)";
}

function add(map, key, value) {
  map.set(key, (map.get(key) ?? 0) + value);
}

function top(map, count) {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, count);
}
