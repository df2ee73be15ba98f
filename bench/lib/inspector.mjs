// A DevTools protocol session with one isolate of a workerd started with an inspector port
// (Miniflare's `inspectorPort`): CPU profiles (profile.mjs) and heap figures (scale.mjs).
// Needs Node 22's global WebSocket: run through `npm run`, which puts the root's Node first.

/** A DevTools protocol session with the isolate of the Worker named `name`. */
export async function connect(port, name) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const target = targets.find((t) => t.id?.includes(name) || t.title?.includes(name) || t.url?.includes(name));
  if (!target) throw new Error(`no inspector target for ${name}: ${JSON.stringify(targets)}`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let nextId = 1;
  const pending = new Map();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.id !== undefined && pending.has(message.id)) {
      const { resolve, reject } = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) reject(new Error(message.error.message));
      else resolve(message.result);
    }
  };
  return {
    call(method, params = {}) {
      const id = nextId++;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    },
    close: () => socket.close(),
  };
}
