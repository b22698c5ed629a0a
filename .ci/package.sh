#!/usr/bin/env bash
# The package as a user gets it: pack (the prepack script builds dist/), lint the tarball with
# publint and arethetypeswrong, install it alone into a fresh app, print the size and time of that
# install and what ran scripts or needed a compiler, then run its CLI from the installed copy.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
# The installed CLI runs on the project's Node 24 (the system Node may be older than engines).
export PATH="$repo/node_modules/.bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! npm pack --pack-destination "$work" >"$work/pack.log" 2>&1; then cat "$work/pack.log" >&2; exit 1; fi
tarball=$(ls "$work"/tokenfold-*.tgz)
files=$(tar -tzf "$tarball")
echo "packed $(basename "$tarball"): $(du -k "$tarball" | cut -f1) KB, $(echo "$files" | wc -l) files"
for required in package/dist/cli/index.js package/bin/tokenfold-run package/dist/core/index.d.ts package/LICENSE package/cli/demo-dpkg.log package/grammars/tree-sitter-python.wasm; do
  grep -qx "$required" <<< "$files" || { echo "the tarball has no ${required#package/}" >&2; exit 1; }
done
if grep -E '\.test\.ts$|test-support/' <<< "$files"; then echo 'tests were packed' >&2; exit 1; fi

publint run "$tarball" --strict
# ESM only: CommonJS require() and node10 resolution are out of scope, and said so in the README.
attw "$tarball" --profile esm-only --format ascii --no-emoji

mkdir "$work/app"
cd "$work/app"
echo '{ "name": "fresh-app", "private": true, "type": "module" }' > package.json
started=$(date +%s%N)
npm install --no-audit --no-fund --loglevel=error "$tarball"
elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
size_kb=$(du -sk node_modules | cut -f1)
bytes=$(du -sb node_modules | cut -f1)
packages=$(npm ls --all --parseable 2>/dev/null | tail -n +2 | sort -u | wc -l)
echo "fresh install of tokenfold alone: $(awk "BEGIN { printf \"%.1f MB on disk (%.1f MB of files)\", $size_kb / 1024, $bytes / 1048576 }"), $(( elapsed_ms / 1000 )).$(( elapsed_ms % 1000 / 100 )) s, ${packages} packages (target: under 40 MB, no install script, no compiler)"
node --input-type=module -e '
  import { readdirSync, readFileSync, existsSync } from "node:fs";
  import { join } from "node:path";
  const found = { scripts: [], gyp: [] };
  const visit = (dir) => {
    for (const name of existsSync(dir) ? readdirSync(dir) : []) {
      if (name.startsWith(".")) continue;
      if (name.startsWith("@")) { visit(join(dir, name)); continue; }
      const root = join(dir, name);
      const manifest = join(root, "package.json");
      if (!existsSync(manifest)) continue;
      const { scripts = {} } = JSON.parse(readFileSync(manifest, "utf8"));
      if (scripts.preinstall || scripts.install || scripts.postinstall) found.scripts.push(name);
      if (existsSync(join(root, "binding.gyp"))) found.gyp.push(name);
      visit(join(root, "node_modules"));
    }
  };
  visit("node_modules");
  console.log(`install scripts: ${found.scripts.join(", ") || "none"}; native builds (binding.gyp): ${found.gyp.join(", ") || "none"}`);
'
du -sk node_modules/* node_modules/@*/* 2>/dev/null | sort -rn | head -8 | awk '{ printf "  %6.1f MB  %s\n", $1 / 1024, $2 }'

npx --no-install tokenfold --version
npx --no-install tokenfold demo --store "$work/demo.sqlite" | head -4
# The sh front, through npm's link in node_modules/.bin: small outputs as they are, exit codes
# kept, and a large output handed to the installed CLI (found by following the link).
npx --no-install tokenfold-run -- true
[ "$(npx --no-install tokenfold-run -- echo hello from tokenfold-run)" = 'hello from tokenfold-run' ] || { echo 'tokenfold-run changed a small output' >&2; exit 1; }
if npx --no-install tokenfold-run -- sh -c 'exit 3'; then code=0; else code=$?; fi
[ "$code" = 3 ] || { echo "tokenfold-run exited with $code, not the command's 3" >&2; exit 1; }
npx --no-install tokenfold-run --store "$work/run.sqlite" -- sh -c 'for i in $(seq 600); do echo "2026-12-02 10:00:00 INFO worker 1 finished job $i"; done' >"$work/run.out"
grep -q '^\[tokenfold: [0-9]* folds\? above' "$work/run.out" || { cat "$work/run.out" >&2; echo 'tokenfold-run did not compress a large output' >&2; exit 1; }
echo "tokenfold-run: small outputs unchanged, exit code kept, $(wc -l <"$work/run.out") lines for a 600-line log"
node --input-type=module -e '
  const { compress } = await import("tokenfold");
  const lines = Array.from({ length: 500 }, (_, i) => `2026-12-02 10:00:${String(i % 60).padStart(2, "0")} INFO job ${i} done`);
  const result = await compress(lines.join("\n"));
  if (!(result.tokensAfter < result.tokensBefore)) throw new Error("the installed package did not compress");
  console.log(`installed import: ${result.kind}, ${result.tokensBefore} -> ${result.tokensAfter} tokens`);
  // HTML goes through the bundled turndown (dist/vendor), which must not need a DOM of its own.
  const sections = Array.from({ length: 40 }, (_, i) => `<h2>Section ${i}</h2><p>${"Paragraph text about the topic. ".repeat(12)}</p><ul><li>item ${i}</li></ul>`);
  const page = await compress(`<!doctype html><html><head><title>Manual</title></head><body><nav>menu</nav><main>${sections.join("")}</main></body></html>`);
  if (page.kind !== "html" || !page.text.includes("## Section 0")) throw new Error(`the installed package did not turn HTML into Markdown: ${page.kind}`);
  console.log(`installed import: html, ${page.tokensBefore} -> ${page.tokensAfter} tokens`);
'
# Opt-in parts that a plain install lacks must say what to install.
if npx --no-install tokenfold mcp </dev/null 2>"$work/mcp.err"; then echo 'tokenfold mcp ran without its SDK' >&2; exit 1; fi
grep -q 'npm install -g @modelcontextprotocol/sdk' "$work/mcp.err" || { cat "$work/mcp.err" >&2; exit 1; }
node --input-type=module -e '
  const { createRedisStore } = await import("tokenfold");
  await createRedisStore().then(() => { throw new Error("createRedisStore worked without @keyv/redis"); }, (error) => {
    if (!/npm install @keyv\/redis/.test(error.message)) throw error;
  });
  console.log("opt-in parts missing: each names the package to install");
'
