// The API client: bearer token on every call, problem+json turned into errors that carry the
// problem, and an upload with progress (which fetch cannot report).

export class ApiError extends Error {
  constructor(status, problem, requestId) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.requestId = requestId;
    // Retrying cannot help: the resource is gone or the session is over.
    this.fatal = status === 401 || status === 403 || status === 404;
  }
}

export class NetworkError extends Error {
  constructor(cause) {
    super(String(cause?.message ?? cause));
    this.network = true;
  }
}

/** Relative to the page, so that the service may live under a path prefix. */
const BASE = "api/v1/";

export function createApi(token, onSignedOut) {
  async function call(method, path, body) {
    const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
    const init = { method, headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(BASE + path, init);
    } catch (cause) {
      throw new NetworkError(cause);
    }
    const data = await read(res.status, res.headers.get("Content-Type"), res.headers.get("X-Request-Id"), () => res.text());
    return { status: res.status, data };
  }

  async function read(status, type, requestId, text) {
    const raw = await text();
    const data = raw && /json/.test(type || "") ? safeJson(raw) : null;
    if (status >= 200 && status < 300) return data;
    const error = new ApiError(status, data, requestId);
    if (status === 401) onSignedOut(data?.code);
    throw error;
  }

  /** Sends a file as the `file` field of a form; `onProgress(sent, total)` as it goes; an
   * aborted `signal` stops it, and the promise rejects with an error whose `aborted` is set. */
  function upload(path, file, onProgress, signal) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      signal?.addEventListener("abort", () => xhr.abort(), { once: true });
      xhr.open("POST", BASE + path);
      xhr.setRequestHeader("Authorization", `Bearer ${token}`);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size));
      xhr.addEventListener("load", () => {
        read(xhr.status, xhr.getResponseHeader("Content-Type"), xhr.getResponseHeader("X-Request-Id"), async () => xhr.responseText)
          .then(resolve, reject);
      });
      xhr.addEventListener("error", () => reject(new NetworkError("upload interrupted")));
      xhr.addEventListener("abort", () => reject(Object.assign(new NetworkError("upload aborted"), { aborted: true })));
      const form = new FormData();
      form.append("file", file, file.name);
      xhr.send(form);
    });
  }

  return {
    get: async (path) => (await call("GET", path)).data,
    post: async (path, body) => (await call("POST", path, body ?? {})).data,
    /** A POST whose status matters: `{ status, data }`. */
    send: (path, body) => call("POST", path, body),
    put: async (path, body) => (await call("PUT", path, body)).data,
    del: async (path) => (await call("DELETE", path)).data,
    upload,
  };
}

function safeJson(raw) {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}
