// A small Open Inference Protocol (KServe v2 / Triton HTTP) client on
// Node's http module, with Triton's binary tensor extension, and a reader
// of ONNX TensorProto files (test data). Used by aic-serve's tests
// (test/serve) and its load generator (tools/serve/serve-load.mjs).
// Runs on Node 18 and later; needs no packages.
import http from "node:http";
import { readFileSync } from "node:fs";
import { spawn } from "node:child_process";

// ONNX TensorProto.DataType -> the protocol's datatype and a typed array.
const ONNX_TYPES = {
  1: ["FP32", Float32Array], 2: ["UINT8", Uint8Array], 3: ["INT8", Int8Array],
  4: ["UINT16", Uint16Array], 5: ["INT16", Int16Array],
  6: ["INT32", Int32Array], 7: ["INT64", BigInt64Array],
  9: ["BOOL", Uint8Array], 11: ["FP64", Float64Array],
  12: ["UINT32", Uint32Array], 13: ["UINT64", BigUint64Array],
};
const ARRAYS = Object.fromEntries(Object.values(ONNX_TYPES));

/** Reads an ONNX TensorProto file: {name, datatype, shape, data}. */
export function readTensor(path) {
  const bytes = readFileSync(path);
  let pos = 0;
  const varint = () => {
    let v = 0n, shift = 0n;
    for (;;) {
      const b = bytes[pos++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  const t = { name: "", shape: [], type: 0, raw: null, floats: [], int64s: [],
              int32s: [], doubles: [] };
  while (pos < bytes.length) {
    const key = Number(varint()), field = key >> 3, wire = key & 7;
    if (wire === 0) {
      const v = varint();
      if (field === 1) t.shape.push(Number(BigInt.asIntN(64, v)));
      else if (field === 2) t.type = Number(v);
      else if (field === 5) t.int32s.push(Number(BigInt.asIntN(32, v)));
      else if (field === 7) t.int64s.push(BigInt.asIntN(64, v));
      continue;
    }
    if (wire === 5) { // a float
      if (field === 4) t.floats.push(bytes.readFloatLE(pos));
      pos += 4;
      continue;
    }
    if (wire === 1) { // a double
      if (field === 10) t.doubles.push(bytes.readDoubleLE(pos));
      pos += 8;
      continue;
    }
    if (wire !== 2) throw new Error(`${path}: unexpected wire type ${wire}`);
    const len = Number(varint()), body = bytes.subarray(pos, pos + len);
    pos += len;
    if (field === 9) t.raw = body;
    else if (field === 8) t.name = body.toString();
    else if (field === 4)
      for (let i = 0; i < len; i += 4) t.floats.push(body.readFloatLE(i));
    else if (field === 10)
      for (let i = 0; i < len; i += 8) t.doubles.push(body.readDoubleLE(i));
    else if (field === 1 || field === 5 || field === 7) {
      const end = pos, save = pos;
      pos -= len;
      while (pos < end) {
        const v = varint();
        if (field === 1) t.shape.push(Number(BigInt.asIntN(64, v)));
        else if (field === 5) t.int32s.push(Number(BigInt.asIntN(32, v)));
        else t.int64s.push(BigInt.asIntN(64, v));
      }
      pos = save;
    }
  }
  const entry = ONNX_TYPES[t.type];
  if (!entry) throw new Error(`${path}: unsupported data type ${t.type}`);
  const [datatype, Type] = entry;
  let data;
  if (t.raw) {
    const copy = Buffer.from(t.raw); // aligned
    data = new Type(copy.buffer, copy.byteOffset,
                    copy.length / Type.BYTES_PER_ELEMENT);
  } else if (t.type === 1) data = Float32Array.from(t.floats);
  else if (t.type === 11) data = Float64Array.from(t.doubles);
  else if (t.type === 7) data = BigInt64Array.from(t.int64s);
  else data = Type.from(t.int32s);
  return { name: t.name, datatype, shape: t.shape, data };
}

/** Bytes of a typed array, as a Buffer (no copy). */
export function bytesOf(array) {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** A JSON-able array of a typed array's values (bigints as numbers). */
function jsonData(array) {
  return Array.from(array, (v) => (typeof v === "bigint" ? Number(v) : v));
}

/**
 * One HTTP request: resolves {status, headers, body (a Buffer)}; `agent`
 * false opens a connection of its own.
 */
export function request(port, method, path, body, headers = {},
                        agent = undefined) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path, headers, agent },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode,
                                      headers: res.headers,
                                      body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/**
 * Builds an inference request body for `inputs` ({name, datatype, shape,
 * data}): JSON data, or with `binaryInputs` Triton's binary tensors. With
 * `binaryOutputs`, asks for the outputs as binary data.
 */
export function inferBody(inputs, { binaryInputs = false,
                                    binaryOutputs = false, id,
                                    outputs } = {}) {
  const header = { inputs: [] };
  if (id !== undefined) header.id = id;
  if (binaryOutputs) header.parameters = { binary_data_output: true };
  if (outputs) header.outputs = outputs;
  const blobs = [];
  for (const t of inputs) {
    const entry = { name: t.name, datatype: t.datatype, shape: t.shape };
    if (binaryInputs) {
      const blob = bytesOf(t.data);
      entry.parameters = { binary_data_size: blob.length };
      blobs.push(blob);
    } else {
      entry.data = jsonData(t.data);
    }
    header.inputs.push(entry);
  }
  const json = Buffer.from(JSON.stringify(header));
  const headers = {};
  if (!binaryInputs) {
    headers["Content-Type"] = "application/json";
    return { body: json, headers };
  }
  headers["Content-Type"] = "application/octet-stream";
  headers["Inference-Header-Content-Length"] = String(json.length);
  return { body: Buffer.concat([json, ...blobs]), headers };
}

/**
 * Decodes an inference response: {json, outputs: {name: {datatype, shape,
 * data}}}, binary outputs as typed arrays, JSON ones as arrays.
 */
export function decodeResponse(res) {
  const jsonLength = res.headers["inference-header-content-length"];
  const end = jsonLength === undefined ? res.body.length : Number(jsonLength);
  const json = JSON.parse(res.body.subarray(0, end).toString());
  const outputs = {};
  let offset = end;
  for (const out of json.outputs || []) {
    let data = out.data;
    const size = out.parameters && out.parameters.binary_data_size;
    if (size !== undefined) {
      const copy = Buffer.from(res.body.subarray(offset, offset + size));
      offset += size;
      const Type = ARRAYS[out.datatype];
      data = new Type(copy.buffer, copy.byteOffset,
                      copy.length / Type.BYTES_PER_ELEMENT);
    }
    outputs[out.name] = { datatype: out.datatype, shape: out.shape, data };
  }
  return { json, outputs };
}

/**
 * Compares `actual` values with `expected` as numpy.allclose does; returns
 * "" or what differs.
 */
export function compare(actual, expected, { rtol = 1e-3, atol = 1e-4 } = {}) {
  if (actual.length !== expected.length)
    return `${actual.length} values, expected ${expected.length}`;
  for (let i = 0; i < actual.length; ++i) {
    const a = Number(actual[i]), e = Number(expected[i]);
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e)))
      return `value ${i} is ${a}, expected ${e}`;
  }
  return "";
}

/**
 * Starts aic-serve with `args` (and --http-port 0): resolves {proc, port,
 * log (its stderr so far), exited (a promise of its exit code)} once it
 * listens.
 */
export function startServer(binary, args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(binary, [...args, "--http-port", "0",
                                "--http-address", "127.0.0.1"],
                       { stdio: ["ignore", "pipe", "pipe"] });
    const server = { proc, port: 0, log: "" };
    server.exited = new Promise((done) => proc.on("exit", (code) => done(code)));
    proc.stderr.on("data", (d) => { server.log += d; });
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on [^\s:]+:(\d+)/);
      if (m && !server.port) {
        server.port = Number(m[1]);
        resolve(server);
      }
    });
    server.exited.then((code) => {
      if (!server.port)
        reject(new Error(`aic-serve exited with ${code}: ${server.log}`));
    });
  });
}

/**
 * `clients` concurrent clients, each sending `requests` requests in turn
 * (keep-alive connections): make(client, i) gives {path, body, headers}
 * and check(response, client, i) "" or a problem. Resolves {seconds,
 * latencies (ms, sorted), failures: [problem]}.
 */
export async function runLoad(port, { clients, requests, make, check }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies = [], failures = [];
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; i < requests; ++i) {
      const { path, body, headers } = make(c, i);
      const t0 = process.hrtime.bigint();
      try {
        const res = await request(port, "POST", path, body, headers, agent);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        const problem = check(res, c, i);
        if (problem) failures.push(`client ${c} request ${i}: ${problem}`);
      } catch (e) {
        failures.push(`client ${c} request ${i}: ${e.message}`);
      }
    }
  }));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, latencies,
           failures };
}

/** The p-th percentile (0 to 100) of sorted values. */
export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1,
                     Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
