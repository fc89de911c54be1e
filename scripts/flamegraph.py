#!/usr/bin/env python3
"""Flame graph (SVG) from `perf script` output, for docs/performance.md.

Usage: perf script -i perf.data | python3 scripts/flamegraph.py "title" > graph.svg

Written here because the FlameGraph scripts are not packaged for this machine. Stacks are folded root first; managed
frames from the runtime's perf map ("[Assembly] Namespace.Type::Method(args)[Tier]") are shortened to Type::Method;
frames under 0.5 % of the samples are left out of the picture (their time stays in their parent's width).
"""
import collections
import html
import re
import sys

MIN_SHARE = 0.005
WIDTH, ROW = 1400, 17


def short(frame: str) -> str:
    frame = re.sub(r"\+0x[0-9a-f]+$", "", frame.strip())  # offset into the symbol
    frame = re.sub(r"\[(OptimizedTier1|Optimized|Tier0|Tier1|QuickJitted|Instrumented[^\]]*|PreJIT)\]$", "", frame.strip())
    frame = re.sub(r"^(instance |static )?(class |valuetype )?\S+ \[[^\]]+\] ", "", frame)  # return type and assembly
    frame = re.sub(r"\(.*\)$", "", frame)  # arguments
    frame = re.sub(r"`\d+(\[[^\]]*\])?", "", frame)  # generic arity and arguments
    frame = re.sub(r"\+<([^>]+)>d__\d+::MoveNext", r".\1", frame)  # async state machines read as their method
    parts = frame.split("::")
    if len(parts) == 2:
        frame = parts[0].split(".")[-1] + "::" + parts[1]
    return frame[:90] or "?"


def fold(lines):
    stacks = collections.Counter()
    frames = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if frames:
                stacks[tuple(reversed(frames))] += 1
            frames = []
        elif line.startswith(("\t", " ")) and frames is not None and re.match(r"^\s+[0-9a-f]+ ", line):
            symbol = re.sub(r"^\s+[0-9a-f]+ ", "", line)
            symbol = re.sub(r" \([^)]*\)$", "", symbol)
            name = short(symbol) if symbol != "[unknown]" else "[unknown]"
            if not (name == "[unknown]" and frames and frames[-1] == "[unknown]"):  # runs of unsymbolled runtime frames read as one
                frames.append(name)
    if frames:
        stacks[tuple(reversed(frames))] += 1
    return stacks


def tree(stacks):
    root = {"n": 0, "c": {}}
    for stack, count in stacks.items():
        node = root
        node["n"] += count
        for frame in stack:
            node = node["c"].setdefault(frame, {"n": 0, "c": {}})
            node["n"] += count
    return root


def colour(name: str) -> str:
    if name.startswith("Veltrix") or "Veltrix" in name or name.split("::")[0] in VELTRIX_TYPES:
        return "rgb(80,160,230)"
    if re.match(r"^[a-z_0-9]+$", name) or name.startswith(("[k]", "__")):
        return "rgb(230,120,80)"
    h = sum(map(ord, name)) % 60
    return f"rgb({200 + h // 3},{120 + h},{60})"


VELTRIX_TYPES = set()


def render(root, title):
    total = root["n"]
    rows = []

    def walk(node, name, x, depth):
        width = node["n"] / total * WIDTH
        if node["n"] / total < MIN_SHARE:
            return
        rows.append((name, x, depth, width, node["n"]))
        child_x = x
        for child_name, child in sorted(node["c"].items(), key=lambda kv: -kv[1]["n"]):
            walk(child, child_name, child_x, depth + 1)
            child_x += child["n"] / total * WIDTH

    walk(root, "all", 0.0, 0)
    depth = max(r[2] for r in rows) + 1
    height = depth * ROW + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="monospace" font-size="11">',
           f'<rect width="100%" height="100%" fill="white"/><text x="6" y="16" font-size="14">{html.escape(title)} — {total} samples</text>']
    for name, x, d, width, n in rows:
        y = height - (d + 1) * ROW
        label = name if len(name) * 6.6 < width else name[: max(0, int(width / 6.6) - 2)] + ".." if width > 20 else ""
        out.append(f'<g><title>{html.escape(name)} ({n} samples, {n / total:.1%})</title>'
                   f'<rect x="{x:.1f}" y="{y}" width="{max(width - 0.5, 0.5):.1f}" height="{ROW - 1}" fill="{colour(name)}"/>'
                   f'<text x="{x + 3:.1f}" y="{y + 12}">{html.escape(label)}</text></g>')
    out.append("</svg>")
    return "\n".join(out)


if __name__ == "__main__":
    print(render(tree(fold(sys.stdin)), sys.argv[1] if len(sys.argv) > 1 else "flame graph"))
