#!/usr/bin/env node
// Load generator for aic-serve (or any Open Inference Protocol server):
// CLIENTS concurrent clients, each sending REQUESTS inference requests in
// turn over a keep-alive connection, every answer checked against the
// reference output where one is given; prints requests/s and the median
// and 99th percentile latency (docs/serving.md has the figures).
//
// node tools/serve/serve-load.mjs --port P --model NAME --input input_0.pb
//      [--input-name NAME] [--expected output_0.pb] [--clients 16]
//      [--requests 200] [--json] [--warmup 50]
import * as oip from "./oip-client.mjs";

const options = { clients: "16", requests: "200", warmup: "50" };
for (let i = 2; i < process.argv.length; ++i) {
  const arg = process.argv[i];
  if (arg === "--json") options.json = true;
  else if (arg.startsWith("--") && i + 1 < process.argv.length)
    options[arg.slice(2)] = process.argv[++i];
  else {
    console.error(`serve-load: unexpected argument '${arg}'`);
    process.exit(1);
  }
}
for (const required of ["port", "model", "input"])
  if (!options[required]) {
    console.error(`serve-load: --${required} is required`);
    process.exit(1);
  }
const input = oip.readTensor(options.input);
const expected = options.expected && oip.readTensor(options.expected);
const request = oip.inferBody(
  [{ ...input, name: options["input-name"] || input.name }],
  { binaryInputs: !options.json, binaryOutputs: !options.json });
const path = `/v2/models/${options.model}/infer`;
const load = (clients, requests) => oip.runLoad(Number(options.port), {
  clients, requests, make: () => ({ path, ...request }),
  check: (res) => res.status !== 200 ? `${res.status} ${res.body}` :
    expected ? oip.compare(
      Object.values(oip.decodeResponse(res).outputs)[0].data,
      expected.data) : "",
});
const clients = Number(options.clients), requests = Number(options.requests);
await load(clients, Math.ceil(Number(options.warmup) / clients) || 1);
const r = await load(clients, requests);
if (r.failures.length) {
  console.error(`serve-load: ${r.failures.length} requests failed; first: ` +
                r.failures[0]);
  process.exit(1);
}
const n = clients * requests;
console.log(`${options.model}: ${clients} clients x ${requests} requests: ` +
            `${(n / r.seconds).toFixed(0)} requests/s, latency p50 ` +
            `${oip.percentile(r.latencies, 50).toFixed(2)} ms, p99 ` +
            `${oip.percentile(r.latencies, 99).toFixed(2)} ms`);
