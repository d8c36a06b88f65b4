// A minimal single-page app of the ENT: from its own origin, it exports the user's data through
// the API of another origin with a bearer token, follows the export until it is ready, and
// downloads it through a signed link. `#api=…&token=…` tell it where and as whom;
// `window.outcome` is what it found, or where it stopped.

const params = new URLSearchParams(location.hash.slice(1));
const api = params.get("api");
const headers = { Authorization: `Bearer ${params.get("token")}`, Accept: "application/json" };

async function call(method, route, body) {
  const res = await fetch(`${api}/api/v1/${route}`, {
    method,
    headers: body ? { ...headers, "Content-Type": "application/json" } : headers,
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return { json: await res.json(), location: res.headers.get("Location") };
}

async function run() {
  const created = await call("POST", "exports", { apps: ["workspace"] });
  const id = created.json.id;
  let status = created.json.status;
  for (let i = 0; i < 300 && (status === "queued" || status === "running"); i += 1) {
    await new Promise((r) => setTimeout(r, 200));
    status = (await call("GET", `exports/${id}`)).json.status;
  }
  if (status !== "ready") throw new Error(`the export ended ${status}`);
  const link = (await call("POST", `exports/${id}/link`)).json.url;
  // The link carries its own token: no Authorization header, a simple cross-origin GET.
  const download = await fetch(link);
  if (!download.ok) throw new Error(`download: ${download.status}`);
  const bytes = new Uint8Array(await download.arrayBuffer());
  return {
    id,
    location: created.location,
    link,
    disposition: download.headers.get("Content-Disposition"),
    start: String.fromCharCode(bytes[0], bytes[1]),
    size: bytes.length,
  };
}

window.outcome = run().then(
  (found) => ({ ok: true, ...found }),
  (error) => ({ ok: false, error: `${error.name}: ${error.message}` }),
);
window.outcome.then((outcome) => {
  document.getElementById("out").textContent = JSON.stringify(outcome, null, 2);
});
