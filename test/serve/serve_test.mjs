// aic-serve's test (ctest `serve`): starts aic-serve on a loopback port
// over a model repository compiled here, and checks, over HTTP: health and
// metadata; inference with JSON and binary tensors against reference
// outputs (from the example's make_model.py, and from ONNX Runtime for
// ../shared's benchmark models); every kind of bad request (400 and a
// message, the server still up); 16 concurrent clients x 200 requests;
// batching (each request's rows of a batched run are its own); metrics;
// and SIGTERM draining the requests in flight.
//
// node serve_test.mjs --aic-serve BIN --aic-compile BIN --python PY
//                     --example DIR --work DIR [--shared DIR]
import { mkdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as oip from "../../tools/serve/oip-client.mjs";

const args = {};
for (let i = 2; i < process.argv.length; i += 2)
  args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
const here = dirname(fileURLToPath(import.meta.url));

let failed = 0;
function check(name, problem) {
  if (problem) {
    failed++;
    console.log(`FAIL ${name}: ${problem}`);
  } else {
    console.log(`ok   ${name}`);
  }
}

// The repository: the example, the drain test's slow model and, where
// ../shared is, the benchmark models (mlp_b1 also with a dynamic batch dim,
// batching up to 64 rows).
const repo = join(args.work, "repository");
rmSync(args.work, { recursive: true, force: true });
function addModel(name, onnx, compileArgs = [], config = "") {
  mkdirSync(join(repo, name, "1"), { recursive: true });
  execFileSync(args["aic-compile"], [onnx, "-o",
                                     join(repo, name, "1", "model.so"),
                                     "--quiet", ...compileArgs]);
  if (config) writeFileSync(join(repo, name, "config.pbtxt"), config);
}
addModel("tiny_cnn", join(args.example, "model.onnx"));
const slowOnnx = join(args.work, "slow.onnx");
execFileSync(args.python, [join(here, "make_slow_model.py"), slowOnnx]);
addModel("slow", slowOnnx, [],
         'backend: "aic"\ninstance_group [ { count: 1 kind: KIND_CPU } ]\n');
const bench = args.shared && join(args.shared, "bench", "models");
const withShared = bench && existsSync(join(bench, "mlp_b1"));
if (withShared) {
  addModel("mlp_b1", join(bench, "mlp_b1", "model.onnx"));
  addModel("mlp_batched", join(bench, "mlp_b1", "model.onnx"),
           ["--shape", "input=?x784"],
           "max_batch_size: 64\ndynamic_batching { " +
           "max_queue_delay_microseconds: 500 }\n");
  addModel("resnet18", join(bench, "resnet18", "model.onnx"));
}
const server = await oip.startServer(args["aic-serve"],
                                     ["--model-repository", repo]);
const port = server.port;
const get = (path) => oip.request(port, "GET", path);
const post = (path, body, headers) =>
  oip.request(port, "POST", path, body, headers);

// Health and metadata.
check("live", (await get("/v2/health/live")).status === 200 ? "" : "not 200");
check("ready", (await get("/v2/health/ready")).status === 200 ? "" : "not 200");
{
  const res = await get("/v2");
  const json = JSON.parse(res.body);
  check("server metadata", res.status === 200 && json.name === "aic-serve" &&
        json.extensions.includes("binary_tensor_data") ? "" : res.body);
}
for (const path of ["/v2/models/tiny_cnn", "/v2/models/tiny_cnn/versions/1"]) {
  const res = await get(path);
  const json = JSON.parse(res.body);
  check(`metadata ${path}`,
        res.status === 200 && json.name === "tiny_cnn" &&
        JSON.stringify(json.versions) === '["1"]' &&
        JSON.stringify(json.inputs) ===
          '[{"datatype":"FP32","name":"image","shape":[1,1,6,6]}]' &&
        JSON.stringify(json.outputs) ===
          '[{"datatype":"FP32","name":"logits","shape":[1,3]}]'
          ? "" : res.body.toString());
}
check("model ready",
      (await get("/v2/models/tiny_cnn/ready")).status === 200 ? "" : "not 200");
if (withShared) {
  const json = JSON.parse((await get("/v2/models/mlp_batched")).body);
  check("metadata of a batched model",
        JSON.stringify(json.inputs[0].shape) === "[-1,784]" ? "" :
        JSON.stringify(json));
}
{
  const res = await post("/v2/repository/index", "");
  const names = JSON.parse(res.body).map((m) => m.name).sort();
  check("repository index",
        names.includes("tiny_cnn") && names.includes("slow") ? "" :
        res.body.toString());
}

// Inference against the references, each way of sending and answering.
async function inferMatches(name, model, dataDir, tolerance) {
  const input = oip.readTensor(join(dataDir, "input_0.pb"));
  const expected = oip.readTensor(join(dataDir, "output_0.pb"));
  for (const binaryInputs of [false, true])
    for (const binaryOutputs of [false, true]) {
      const { body, headers } = oip.inferBody(
        [{ ...input, name }], { binaryInputs, binaryOutputs, id: "r1" });
      const res = await post(`/v2/models/${model}/infer`, body, headers);
      let problem = res.status !== 200 ? `${res.status} ${res.body}` : "";
      if (!problem) {
        const { json, outputs } = oip.decodeResponse(res);
        const out = Object.values(outputs)[0];
        problem =
          json.model_name !== model ? `model_name ${json.model_name}` :
          json.id !== "r1" ? `id ${json.id}` :
          JSON.stringify(out.shape) !== JSON.stringify(expected.shape)
            ? `shape ${out.shape}` :
          oip.compare(out.data, expected.data, tolerance);
      }
      check(`${model} infer (${binaryInputs ? "binary" : "JSON"} in, ` +
            `${binaryOutputs ? "binary" : "JSON"} out)`, problem);
    }
}
await inferMatches("image", "tiny_cnn",
                   join(args.example, "test_data_set_0"), {});
if (withShared) {
  const dir = (m) => join(bench, m, "test_data_set_0");
  await inferMatches("input", "mlp_b1", dir("mlp_b1"), {});
  await inferMatches("input", "mlp_batched", dir("mlp_b1"), {});
  await inferMatches("input", "resnet18", dir("resnet18"), {});
}

// Bad requests: 400 and {"error": "..."} naming the problem.
const image = oip.readTensor(join(args.example, "test_data_set_0",
                                  "input_0.pb"));
const good = { name: "image", datatype: "FP32", shape: [1, 1, 6, 6],
               data: Array.from(image.data) };
const json = (o) => JSON.stringify(o);
// The example's input declared as `size` binary bytes, followed by `bytes`.
const binaryBody = (size, bytes) => Buffer.concat([
  Buffer.from(json({ inputs: [{ ...good, data: undefined,
                                parameters: { binary_data_size: size } }] })),
  Buffer.alloc(bytes)]);
const badRequests = [
  ["unknown model", "/v2/models/nope/infer", json({ inputs: [good] }),
   {}, "unknown model 'nope'"],
  ["unknown version", "/v2/models/tiny_cnn/versions/7/infer",
   json({ inputs: [good] }), {}, "has no version '7'"],
  ["malformed JSON", "/v2/models/tiny_cnn/infer", '{"inputs": [', {},
   "malformed JSON"],
  ["not an object", "/v2/models/tiny_cnn/infer", "[1, 2]", {},
   "not a JSON object"],
  ["no inputs", "/v2/models/tiny_cnn/infer", "{}", {}, "no \"inputs\""],
  ["wrong datatype", "/v2/models/tiny_cnn/infer",
   json({ inputs: [{ ...good, datatype: "FP64" }] }), {},
   "input 'image' has datatype FP64, but the model takes FP32"],
  ["wrong shape", "/v2/models/tiny_cnn/infer",
   json({ inputs: [{ ...good, shape: [1, 1, 6, 5] }] }), {},
   "input 'image' has shape [1,1,6,5], but the model takes [1,1,6,6]"],
  ["negative dim", "/v2/models/tiny_cnn/infer",
   json({ inputs: [{ ...good, shape: [1, 1, -6, 6] }] }), {},
   "shape of other than natural numbers"],
  ["too few values", "/v2/models/tiny_cnn/infer",
   json({ inputs: [{ ...good, data: good.data.slice(1) }] }), {},
   "data has 35 elements, but the shape has 36"],
  ["too many values", "/v2/models/tiny_cnn/infer",
   json({ inputs: [{ ...good, data: [...good.data, 1] }] }), {},
   "data has more than the shape's 36 elements"],
  ["not a number", "/v2/models/tiny_cnn/infer",
   json({ inputs: [{ ...good, data: ["x", ...good.data.slice(1)] }] }), {},
   "element 0 (\"x\") is not a number"],
  ["nested too deep", "/v2/models/tiny_cnn/infer",
   json({ inputs: [{ ...good,
                     data: [[[[[[good.data]]]]]] }] }), {},
   "nested deeper than the shape"],
  ["unknown input", "/v2/models/tiny_cnn/infer",
   json({ inputs: [good, { ...good, name: "other" }] }), {},
   "unknown input 'other' (the model's inputs: image)"],
  ["input twice", "/v2/models/tiny_cnn/infer",
   json({ inputs: [good, good] }), {}, "input 'image' is given twice"],
  ["missing input", "/v2/models/tiny_cnn/infer", json({ inputs: [] }), {},
   "missing input 'image'"],
  ["unknown output", "/v2/models/tiny_cnn/infer",
   json({ inputs: [good], outputs: [{ name: "nope" }] }), {},
   "unknown output 'nope' (the model's outputs: logits)"],
  ["binary size wrong", "/v2/models/tiny_cnn/infer",
   binaryBody(100, 100), "header", "has binary_data_size 100, but shape [1,1,6,6] of FP32 " +
                   "takes 144 bytes"],
  ["binary past the end", "/v2/models/tiny_cnn/infer",
   binaryBody(144, 100), "header", "runs past the end of the request"],
  ["bytes after the binary data", "/v2/models/tiny_cnn/infer",
   binaryBody(144, 150), "header", "6 bytes after the inputs' binary data"],
  ["header length past the body", "/v2/models/tiny_cnn/infer",
   json({ inputs: [good] }), { "Inference-Header-Content-Length": "99999" },
   "Inference-Header-Content-Length is 99999"],
  ["header length not a number", "/v2/models/tiny_cnn/infer",
   json({ inputs: [good] }), { "Inference-Header-Content-Length": "x" },
   "not a byte count"],
  ["unknown model metadata", "/v2/models/nope", undefined, {},
   "unknown model 'nope'"],
];
for (const [name, path, body, extra, message] of badRequests) {
  let headers = extra;
  if (extra === "header") {
    const split = body.indexOf(0x7d, body.lastIndexOf(0x5d)) + 1; // "]}"
    headers = { "Inference-Header-Content-Length": String(split) };
  }
  const res = body === undefined ? await get(path)
                                 : await post(path, body, headers);
  let problem = res.status !== 400 ? `status ${res.status}` : "";
  if (!problem) {
    const error = JSON.parse(res.body).error;
    problem = typeof error === "string" && error.includes(message) ? ""
              : `error ${JSON.stringify(error)}, expected "${message}"`;
  }
  check(`bad request: ${name}`, problem);
}
{
  const res = await get("/v2/nothing");
  check("unknown route", res.status === 404 &&
        JSON.parse(res.body).error === "no route for GET /v2/nothing" ? "" :
        `${res.status} ${res.body}`);
}
check("still up after the bad requests",
      (await get("/v2/health/live")).status === 200 ? "" : "not live");

// 16 concurrent clients x 200 requests, every output right. With
// ../shared, on the batched MLP, each request a different row of mlp_b64's
// data (ONNX Runtime's outputs), so a batch handing a request another's
// rows fails; else on the example.
{
  let make, expect, model;
  if (withShared) {
    const input = oip.readTensor(join(bench, "mlp_b64", "test_data_set_0",
                                      "input_0.pb"));
    const output = oip.readTensor(join(bench, "mlp_b64", "test_data_set_0",
                                       "output_0.pb"));
    model = "mlp_batched";
    const rows = Array.from({ length: 64 }, (_, r) =>
      oip.inferBody([{ name: "input", datatype: "FP32", shape: [1, 784],
                       data: input.data.subarray(r * 784, r * 784 + 784) }],
                    { binaryInputs: true, binaryOutputs: true }));
    make = (c, i) => ({ path: `/v2/models/${model}/infer`,
                        ...rows[(c * 7 + i) % 64] });
    expect = (c, i) => {
      const r = (c * 7 + i) % 64;
      return output.data.subarray(r * 10, r * 10 + 10);
    };
  } else {
    model = "tiny_cnn";
    const expected = oip.readTensor(join(args.example, "test_data_set_0",
                                         "output_0.pb"));
    const request = oip.inferBody([{ ...image, name: "image" }],
                                  { binaryInputs: true, binaryOutputs: true });
    make = () => ({ path: `/v2/models/${model}/infer`, ...request });
    expect = () => expected.data;
  }
  const result = await oip.runLoad(port, {
    clients: 16, requests: 200, make,
    check: (res, c, i) => res.status !== 200 ? `${res.status} ${res.body}` :
      oip.compare(Object.values(oip.decodeResponse(res).outputs)[0].data,
                  expect(c, i), {}),
  });
  check(`16 clients x 200 requests on ${model} (` +
        `${(3200 / result.seconds).toFixed(0)} requests/s)`,
        result.failures.length ? `${result.failures.length} failed, first: ` +
                                 result.failures[0] : "");
  const metrics = (await get("/metrics")).body.toString();
  const success = metrics.match(new RegExp(
    `aic_inference_requests_total\\{model="${model}",version="1",` +
    `outcome="success"\\} (\\d+)`));
  check("metrics count the requests",
        success && Number(success[1]) >= 3200 ? "" : "no success count");
  if (withShared) {
    const batches = metrics.match(
      /aic_inference_batch_size_bucket\{model="mlp_batched",version="1",le="1"\} (\d+)/);
    const runs = metrics.match(
      /aic_inference_batch_size_count\{model="mlp_batched",version="1"\} (\d+)/);
    check("concurrent requests ran batched",
          batches && runs && Number(runs[1]) > Number(batches[1]) ? "" :
          `batch size 1: ${batches && batches[1]}, runs ${runs && runs[1]}`);
  }
}

// SIGTERM: the requests in flight finish, right; new connections are
// refused; the server exits 0.
{
  const x = new Float32Array(256 * 1024).map((_, i) => ((i * 37) % 101) - 50);
  const expected = x.map((v) => Math.max(v, 0) / 256);
  const request = oip.inferBody([{ name: "x", datatype: "FP32",
                                   shape: [256, 1024], data: x }],
                                { binaryInputs: true, binaryOutputs: true });
  const inFlight = Array.from({ length: 6 }, () =>
    oip.request(port, "POST", "/v2/models/slow/infer", request.body,
                request.headers, false));
  // All six reach the model (one instance: one runs, five wait for it).
  let pending = 0;
  for (let tries = 0; tries < 500 && pending < 6; ++tries) {
    const m = (await get("/metrics")).body.toString().match(
      /aic_inference_pending_requests\{model="slow",version="1"\} (\d+)/);
    pending = m ? Number(m[1]) : 0;
    if (pending < 6) await new Promise((r) => setTimeout(r, 10));
  }
  check("six requests in flight", pending === 6 ? "" : `${pending} pending`);
  server.proc.kill("SIGTERM");
  const answers = await Promise.allSettled(inFlight);
  const problems = answers.map((a) =>
    a.status !== "fulfilled" ? a.reason.message :
    a.value.status !== 200 ? `${a.value.status} ${a.value.body}` :
    oip.compare(Object.values(oip.decodeResponse(a.value).outputs)[0].data,
                expected, { rtol: 0, atol: 0 })).filter((p) => p);
  check("SIGTERM: the requests in flight finish", problems.join("; "));
  const code = await server.exited;
  check("SIGTERM: exit code 0", code === 0 ? "" : `exit code ${code}`);
  let refused = "";
  try {
    await oip.request(port, "GET", "/v2/health/live", undefined, {}, false);
    refused = "a request after SIGTERM was answered";
  } catch (e) {
    refused = e.code === "ECONNREFUSED" ? "" : e.message;
  }
  check("SIGTERM: new connections refused", refused);
  check("SIGTERM: logged",
        /SIGTERM: finishing the requests in flight/.test(server.log) &&
        /stopped/.test(server.log) ? "" : server.log);
}

console.log(failed ? `${failed} checks failed` : "all checks passed");
process.exit(failed ? 1 : 0);
