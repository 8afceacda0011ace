// The /v1 API from the page (same origin). Errors carry the API's own message, never "Failed to fetch".
import { idToken } from "./auth.js";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(method, path, body, { headers = {} } = {}) {
  const token = await idToken();
  const init = { method, headers: { ...headers } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    // Relative to the page: the app works at the origin's root or under a path prefix (/api/).
    resp = await fetch(path.replace(/^\//, ""), init);
  } catch (err) {
    throw new ApiError(0, "network", "ZapDoc could not be reached: check your connection and try again.");
  }
  if (resp.status === 204) return null;
  let data = null;
  try {
    data = await resp.json();
  } catch {
    data = null;
  }
  if (!resp.ok) {
    const e = data && data.error;
    throw new ApiError(resp.status, e?.code || "http_error", e?.message || `ZapDoc answered ${resp.status} ${resp.statusText}`);
  }
  return data;
}

// PUT one file to its signed upload URL with progress; returns {promise, abort}.
export function uploadFile(upload, file, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open(upload.method || "PUT", upload.url);
    for (const [k, v] of Object.entries(upload.headers || {})) {
      if (k.toLowerCase() !== "content-length") xhr.setRequestHeader(k, v);
    }
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
        return;
      }
      let message = `the upload was refused (${xhr.status})`;
      try {
        const data = JSON.parse(xhr.responseText);
        if (data?.error?.message) message = data.error.message;
      } catch {
        const m = /<Message>([^<]*)<\/Message>/.exec(xhr.responseText || "");
        if (m) message = m[1];
      }
      reject(new ApiError(xhr.status, "upload_failed", message));
    };
    xhr.onerror = () => reject(new ApiError(0, "network", "the upload could not reach the storage server"));
    xhr.onabort = () => reject(new ApiError(0, "aborted", "upload cancelled"));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}
