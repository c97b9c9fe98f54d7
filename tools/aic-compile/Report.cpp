//===- Report.cpp - aic-compile --report: what the compiler did -----------===//

#include "tools/aic-compile/Report.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace llvm;

namespace {
/// The integer attributes `names` of the ops in `module` (null where no op
/// has one), in one walk.
SmallVector<json::Value> findIntegers(ModuleOp module,
                                      ArrayRef<StringRef> names) {
  SmallVector<json::Value> values(names.size(), nullptr);
  module.walk([&](Operation *op) {
    for (auto [i, name] : llvm::enumerate(names))
      if (auto attr = op->getAttrOfType<IntegerAttr>(name))
        values[i] = attr.getInt();
  });
  return values;
}

/// The sum of `key` over `items`, or null where one lacks it.
json::Value total(const json::Array &items, StringRef key) {
  int64_t sum = 0;
  for (const json::Value &item : items) {
    std::optional<int64_t> v = item.getAsObject()->getInteger(key);
    if (!v)
      return nullptr;
    sum += *v;
  }
  return sum;
}
} // namespace

json::Object aic_compile::buildReport(ModuleOp module,
                                      const ReportContext &context) {
  json::Array kernels;
  if (auto described = module->getAttrOfType<ArrayAttr>("aic.kernels")) {
    for (auto kernel : described.getAsRange<DictionaryAttr>()) {
      json::Array nodes;
      for (auto node :
           kernel.getAs<ArrayAttr>("nodes").getAsRange<StringAttr>())
        nodes.push_back(node.getValue());
      auto integer = [&](StringRef key) -> json::Value {
        if (auto value = kernel.getAs<IntegerAttr>(key))
          return value.getInt();
        return nullptr;
      };
      kernels.push_back(json::Object{
          {"nodes", std::move(nodes)},
          {"flops", integer("flops")},
          {"bytes", integer("bytes")},
          {"parallel", kernel.getAs<BoolAttr>("parallel").getValue()}});
    }
  }
  json::Array graph;
  if (context.graph)
    for (const auto &node : *context.graph)
      graph.push_back(json::Object{{"name", node.name},
                                   {"op", node.opType},
                                   {"inputs", json::Array(node.inputs)},
                                   {"outputs", json::Array(node.outputs)}});
  // The memory plan aic-cpu-plan-buffers recorded on the graph.
  SmallVector<json::Value> plan = findIntegers(
      module, {"aic.arena_bytes", "aic.temporaries", "aic.temporary_bytes"});
  json::Value flops = total(kernels, "flops");
  json::Value bytes = total(kernels, "bytes");
  return json::Object{{"model", context.model},
                      {"cpu", context.cpu},
                      {"vector_bits", context.vectorBits},
                      {"opt_level", context.optLevel},
                      {"activation_bytes", std::move(plan[0])},
                      {"temporaries", std::move(plan[1])},
                      {"temporary_bytes", std::move(plan[2])},
                      {"flops", std::move(flops)},
                      {"bytes", std::move(bytes)},
                      {"kernels", std::move(kernels)},
                      {"graph", std::move(graph)}};
}

void aic_compile::addPhaseTimes(
    json::Object &report,
    const std::vector<std::pair<std::string, double>> &phases) {
  json::Array list;
  double sum = 0;
  for (const auto &[name, seconds] : phases) {
    list.push_back(json::Object{{"name", name}, {"seconds", seconds}});
    sum += seconds;
  }
  report["phases"] = std::move(list);
  report["compile_seconds"] = sum;
}

// The page: the report's JSON in a data block, drawn by the script below
// (no network, no libraries). When it has drawn everything the script sets
// <body data-status="ok" data-kernels="N">; an error sets data-status to
// "error: ...". test/tools/report-page.test loads it in headless Chromium.
static const char kPageHead[] = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>aic-compile report</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; }
td, th { padding: 2px 10px; border-bottom: 1px solid #ddd; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.graphs { display: flex; gap: 2em; align-items: flex-start; }
figure { margin: 0; flex: 1 1 0; min-width: 0; max-height: 80vh;
         overflow: auto; border: 1px solid #ddd; }
figcaption { font-weight: 600; padding: 4px 8px; background: #f4f4f4; }
svg text { font: 10px sans-serif; pointer-events: none; }
.bar { display: inline-block; height: 10px; background: #4a7fc1; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
</style>
</head>
<body data-status="loading">
<h1>aic-compile report</h1>
<table id="summary"></table>
<h2>Graph before and after fusion</h2>
<p>Each colour is one kernel of the generated code; grey nodes became no
code of their own (folded, or views of other tensors).</p>
<div class="graphs">
<figure><figcaption id="before-caption"></figcaption><div id="before"></div></figure>
<figure><figcaption id="after-caption"></figcaption><div id="after"></div></figure>
</div>
<h2>Kernels</h2>
<table id="kernels"><thead><tr><th>#</th><th>ONNX nodes</th><th>MFLOP</th>
<th>KiB moved</th><th>FLOP/byte</th><th>threads</th></tr></thead><tbody></tbody></table>
<h2>Memory plan</h2>
<table id="memory"></table>
<h2>Compile time</h2>
<table id="phases"></table>
<script type="application/json" id="aic-report">
)html";

static const char kPageTail[] = R"html(
</script>
<script>
window.onerror = function (message) {
  document.body.dataset.status = 'error: ' + message;
};
(function () {
  'use strict';
  var report = JSON.parse(document.getElementById('aic-report').textContent);
  var SVG = 'http://www.w3.org/2000/svg';
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svgEl(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  function row(table, cells, numeric) {
    var tr = el('tr');
    cells.forEach(function (c, i) {
      var numericCell = numeric && numeric.indexOf(i) >= 0;
      var td = el(i === 0 && !numericCell ? 'th' : 'td');
      if (c instanceof Node) td.appendChild(c); else td.textContent = c;
      if (numericCell) td.className = 'num';
      tr.appendChild(td);
    });
    (table.tBodies[0] || table).appendChild(tr);
    return tr;
  }
  function bytes(n) {
    if (n === null || n === undefined) return 'unknown';
    if (n >= 1 << 20) return (n / (1 << 20)).toFixed(2) + ' MiB';
    if (n >= 1 << 10) return (n / (1 << 10)).toFixed(1) + ' KiB';
    return n + ' B';
  }
  function colour(k) { return 'hsl(' + ((k * 137.5) % 360) + ',60%,72%)'; }

  var kernels = report.kernels, graph = report.graph || [];

  // Summary.
  var summary = document.getElementById('summary');
  row(summary, ['model', report.model]);
  row(summary, ['target', report.cpu + ', ' + report.vector_bits +
                '-bit vectors, ' + report.opt_level]);
  row(summary, ['kernels', String(kernels.length)]);
  row(summary, ['float operations', report.flops === null ? 'unknown' :
                (report.flops / 1e9).toFixed(3) + ' GFLOP']);
  row(summary, ['peak activation memory', bytes(report.activation_bytes)]);
  if (report.compile_seconds !== undefined)
    row(summary, ['compile time', report.compile_seconds.toFixed(2) + ' s']);

  // The kernels each ONNX node went into (by name), in program order: a
  // convolution may be a padding, an im2col and a matmul kernel.
  var kernelsOf = {};
  kernels.forEach(function (k, i) {
    k.nodes.forEach(function (n) {
      var list = kernelsOf[n] = kernelsOf[n] || [];
      if (list.indexOf(i) < 0) list.push(i);
    });
  });
  var nodes = graph.filter(function (n) { return n.op !== 'Constant'; });
  var producer = {};
  nodes.forEach(function (n, i) {
    n.outputs.forEach(function (t) { producer[t] = i; });
  });
  var preds = nodes.map(function (n) {
    var p = [];
    n.inputs.forEach(function (t) {
      if (t in producer && p.indexOf(producer[t]) < 0) p.push(producer[t]);
    });
    return p;
  });

  // Layered drawing: each box one row below its deepest predecessor.
  function draw(container, boxes, edges) {
    var W = 110, H = 26, GX = 14, GY = 22;
    var depth = [], layers = [];
    boxes.forEach(function (b, i) {
      var d = 0;
      b.preds.forEach(function (p) { if (p < i) d = Math.max(d, depth[p] + 1); });
      depth.push(d);
      (layers[d] = layers[d] || []).push(i);
    });
    var widest = 1;
    layers.forEach(function (l) { widest = Math.max(widest, l.length); });
    var width = widest * (W + GX) + GX, height = layers.length * (H + GY) + GY;
    var svg = svgEl('svg', {width: width, height: height,
                            viewBox: '0 0 ' + width + ' ' + height});
    var pos = [];
    layers.forEach(function (l, d) {
      var x0 = (width - l.length * (W + GX) + GX) / 2;
      l.forEach(function (i, j) {
        pos[i] = {x: x0 + j * (W + GX), y: GY + d * (H + GY)};
      });
    });
    edges.forEach(function (e) {
      var a = pos[e[0]], b = pos[e[1]];
      svg.appendChild(svgEl('line', {x1: a.x + W / 2, y1: a.y + H,
                                     x2: b.x + W / 2, y2: b.y,
                                     stroke: '#999', 'stroke-width': 1}));
    });
    boxes.forEach(function (b, i) {
      var g = svgEl('g', {'class': b.cls});
      var title = svgEl('title', {});
      title.textContent = b.title;
      g.appendChild(title);
      g.appendChild(svgEl('rect', {x: pos[i].x, y: pos[i].y, width: W,
                                   height: H, rx: 4, fill: b.fill,
                                   stroke: '#555'}));
      var t = svgEl('text', {x: pos[i].x + W / 2, y: pos[i].y + H / 2 + 3,
                             'text-anchor': 'middle'});
      t.textContent = b.label.length > 18 ? b.label.slice(0, 17) + '\u2026'
                                          : b.label;
      g.appendChild(t);
      svg.appendChild(g);
    });
    container.appendChild(svg);
  }

  // Before fusion: the ONNX nodes, coloured by (first) kernel.
  var beforeEdges = [];
  preds.forEach(function (p, i) { p.forEach(function (j) { beforeEdges.push([j, i]); }); });
  draw(document.getElementById('before'), nodes.map(function (n, i) {
    var ks = kernelsOf[n.name];
    return {preds: preds[i], label: n.op, cls: 'node',
            title: n.name + ' (' + n.op + ')' +
                   (ks ? ': kernel ' + ks.join(', ') : ': no kernel'),
            fill: ks ? colour(ks[0]) : '#e4e4e4'};
  }), beforeEdges);
  document.getElementById('before-caption').textContent =
      'Before fusion: ' + nodes.length + ' ONNX nodes';

  // After fusion: the kernels. A node's kernels follow one another; its
  // first reads the last of each node it takes inputs from (through nodes
  // that became no code).
  var opOf = {};
  nodes.forEach(function (n) { opOf[n.name] = n.op; });
  function lastKernels(j, seen, out) {
    if (seen[j]) return;
    seen[j] = true;
    var ks = kernelsOf[nodes[j].name];
    if (ks) out.push(ks[ks.length - 1]);
    else preds[j].forEach(function (p) { lastKernels(p, seen, out); });
  }
  var kernelPreds = kernels.map(function () { return []; });
  function join(from, to) {
    if (from !== to && kernelPreds[to].indexOf(from) < 0) kernelPreds[to].push(from);
  }
  nodes.forEach(function (n, i) {
    var ks = kernelsOf[n.name];
    if (!ks) return;
    for (var j = 1; j < ks.length; ++j) join(ks[j - 1], ks[j]);
    var from = [], seen = {};
    preds[i].forEach(function (p) { lastKernels(p, seen, from); });
    from.forEach(function (f) { join(f, ks[0]); });
  });
  var afterEdges = [];
  kernelPreds.forEach(function (p, k) { p.forEach(function (s) { afterEdges.push([s, k]); }); });
  draw(document.getElementById('after'), kernels.map(function (k, i) {
    var ops = [];
    k.nodes.forEach(function (n) {
      var op = opOf[n] || n;
      if (ops.indexOf(op) < 0) ops.push(op);
    });
    return {preds: kernelPreds[i], label: ops.join('+') || 'kernel ' + i,
            cls: 'kernel', fill: colour(i),
            title: 'kernel ' + i + ': ' + k.nodes.join(', ')};
  }), afterEdges);
  document.getElementById('after-caption').textContent =
      'After fusion: ' + kernels.length + ' kernels';

  // The kernels' work.
  var table = document.getElementById('kernels');
  kernels.forEach(function (k, i) {
    var sw = el('span');
    sw.appendChild(el('span', {'class': 'swatch',
                               style: 'background:' + colour(i)}));
    sw.appendChild(document.createTextNode(k.nodes.join(', ')));
    var tr = row(table, [String(i), sw,
        k.flops === null ? '?' : (k.flops / 1e6).toFixed(3),
        k.bytes === null ? '?' : (k.bytes / 1024).toFixed(1),
        k.flops === null || !k.bytes ? '?' : (k.flops / k.bytes).toFixed(2),
        k.parallel ? 'parallel' : 'one'], [0, 2, 3, 4]);
    tr.className = 'kernel';
  });

  // The memory plan.
  var memory = document.getElementById('memory');
  row(memory, ['peak activation bytes (one arena)', bytes(report.activation_bytes)]);
  row(memory, ['temporaries', report.temporaries === null ? 'not planned' :
               String(report.temporaries)]);
  row(memory, ['their bytes without reuse', bytes(report.temporary_bytes)]);
  if (report.activation_bytes && report.temporary_bytes)
    row(memory, ['reuse', (report.temporary_bytes /
                           report.activation_bytes).toFixed(2) + '\u00d7']);

  // The phases.
  var phases = document.getElementById('phases');
  var longest = 0;
  (report.phases || []).forEach(function (p) { longest = Math.max(longest, p.seconds); });
  (report.phases || []).forEach(function (p) {
    var bar = el('span', {'class': 'bar',
                          style: 'width:' + Math.round(200 * p.seconds / (longest || 1)) + 'px'});
    row(phases, [p.name, p.seconds.toFixed(3) + ' s', bar], [1]);
  });

  document.body.dataset.kernels = String(kernels.length);
  document.body.dataset.status = 'ok';
})();
</script>
</body>
</html>
)html";

void aic_compile::writeReportPage(raw_ostream &os, const json::Object &report) {
  std::string data = formatv("{0}", json::Value(json::Object(report))).str();
  // The data sits in a <script> element: "</" must not close it.
  std::string safe;
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '<' && i + 1 < data.size() && data[i + 1] == '/') {
      safe += "<\\/";
      ++i;
      continue;
    }
    safe.push_back(data[i]);
  }
  os << kPageHead << safe << kPageTail;
}
