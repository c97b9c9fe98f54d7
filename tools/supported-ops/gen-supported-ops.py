#!/usr/bin/env python3
"""gen-supported-ops: write docs/supported-ops.md from aic's registry and a conformance run.

The operator, its ONNX versions and the versions aic implements come from
`aic-compile --list-ops` (the importer's own registry). The node-test
columns come from the ONNX node suite and the expected-failures file of the
latest conformance run (test/e2e/expected/node.txt): for each operator, how
many of its own node tests (one node of that operator; the `_expanded`
function-body variants are left out) pass, the element types of the inputs
of those that pass, and why the first of the others does not.

  gen-supported-ops.py --aic-compile build/bin/aic-compile \\
      --node ../shared/onnx-tests/node \\
      --expected test/e2e/expected/node.txt > docs/supported-ops.md
  gen-supported-ops.py --aic-compile build/bin/aic-compile \\
      --check docs/supported-ops.md
"""

import argparse
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

# onnx.TensorProto.DataType numbering.
TYPE_NAMES = {
    1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16",
    6: "int32", 7: "int64", 8: "string", 9: "bool", 10: "float16",
    11: "float64", 12: "uint32", 13: "uint64", 16: "bfloat16",
    17: "float8e4m3fn", 18: "float8e4m3fnuz", 19: "float8e5m2",
    20: "float8e5m2fnuz", 21: "uint4", 22: "int4", 23: "float4e2m1",
    24: "float8e8m0", 25: "uint2", 26: "int2",
}
ROW = re.compile(r"^\| (\S+) \| ([^|]*) \| ([^|]*) \|")


def registry(aic_compile):
    """[(op, versions, implemented)] from aic-compile --list-ops."""
    out = subprocess.run([aic_compile, "--list-ops"], check=True,
                         capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        m = ROW.match(line)
        if m and m.group(1) not in ("operator", "---"):
            rows.append((m.group(1), m.group(2).strip(), m.group(3).strip()))
    return rows


def describe(model):
    """(op type of the test's node, input element types) of a node test."""
    text = subprocess.run(
        ["protoc", "--decode=onnx.ModelProto", "-I/usr/include",
         "onnx/onnx.proto"], stdin=open(model, "rb"), capture_output=True,
        text=True, errors="replace").stdout
    # Top-level nodes are indented by 4, their fields by 4 more.
    ops = set(re.findall(r"^    op_type: \"([^\"]+)\"", text, re.M))
    ops.discard("Constant")
    graph = text[text.find("\n  input {"):]
    types = re.findall(r"^\s+elem_type: (\d+)", graph.split("\n  output {")[0],
                       re.M)
    op = ops.pop() if len(ops) == 1 else None
    return op, {TYPE_NAMES.get(int(t), "type " + t) for t in types}


def node_results(node_dir, expected):
    failures = {}
    for line in open(expected):
        if line.startswith("#") or ": " not in line:
            continue
        name, rest = line.rstrip("\n").split(": ", 1)
        failures[name] = rest
    tests = sorted(t for t in os.listdir(node_dir)
                   if not t.endswith("_expanded") and
                   os.path.exists(os.path.join(node_dir, t, "model.onnx")))
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        described = list(pool.map(
            lambda t: describe(os.path.join(node_dir, t, "model.onnx")), tests))
    per_op = {}
    for test, (op, types) in zip(tests, described):
        if op is None:
            continue
        entry = per_op.setdefault(op, {"passed": 0, "total": 0,
                                       "types": set(), "why": None})
        entry["total"] += 1
        if test in failures:
            if entry["why"] is None:
                entry["why"] = "%s: %s" % (test, failures[test])
        else:
            entry["passed"] += 1
            entry["types"] |= types
    return per_op


def note(why):
    why = why.replace("|", "/")
    return why if len(why) <= 140 else why[:137] + "..."


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--aic-compile", required=True)
    parser.add_argument("--node", help="the ONNX node test folder")
    parser.add_argument("--expected", help="node.txt of the conformance run")
    parser.add_argument("--check", metavar="DOC",
                        help="check that DOC lists the registry's operators "
                             "and versions; print nothing")
    args = parser.parse_args()
    ops = registry(args.aic_compile)

    if args.check:
        documented = []
        for line in open(args.check):
            m = ROW.match(line)
            if m and m.group(1) not in ("operator", "---"):
                documented.append((m.group(1), m.group(2).strip(),
                                   m.group(3).strip()))
        if documented != ops:
            known = set(ops)
            for row in sorted(set(documented) ^ known):
                print("%s: %s" % ("missing" if row in known else "stale",
                                  " | ".join(row)))
            print("regenerate docs/supported-ops.md with "
                  "tools/supported-ops/gen-supported-ops.py", file=sys.stderr)
            return 1
        return 0

    if not args.node or not args.expected:
        parser.error("--node and --expected are needed to generate")
    per_op = node_results(args.node, args.expected)
    out = sys.stdout
    out.write("# Supported ONNX operators\n\n"
              "Generated by `tools/supported-ops/gen-supported-ops.py` from "
              "the importer's registry (`aic-compile --list-ops`) and the "
              "latest conformance run of the ONNX node suite "
              "(test/e2e/expected/node.txt); test/tools/supported-ops.test "
              "checks that the operators and versions are current.\n\n"
              "An operator imports at a model's opset when the version in "
              "force there (the newest of its versions not above the opset) "
              "is one aic implements. *Node tests* counts the operator's own "
              "node tests that pass (the `_expanded` function-body variants "
              "are counted under the operators they use); *element types* "
              "are those of the inputs of the passing ones; *notes* give the "
              "first test that does not pass, and why.\n\n"
              "| operator | versions (ONNX since_version) | aic implements "
              "| node tests | element types | notes |\n"
              "|---|---|---|---|---|---|\n")
    for op, versions, implemented in ops:
        entry = per_op.get(op)
        count = ("%d/%d" % (entry["passed"], entry["total"])) if entry else "-"
        types = ", ".join(sorted(entry["types"])) if entry else ""
        why = note(entry["why"]) if entry and entry["why"] else ""
        out.write("| %s | %s | %s | %s | %s | %s |\n" %
                  (op, versions, implemented, count, types, why))
    unsupported = sorted(op for op in per_op
                         if op not in {o for o, _, _ in ops})
    out.write("\n## Operators with node tests that aic does not import\n\n")
    out.write(", ".join(unsupported) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
