#!/usr/bin/env node
// tracecheck: reads a Trace Event file (mtviz run --trace FILE) with
// speedscope's own importer, the code speedscope's page runs on a file
// dropped on it, and prints, for each profile it makes (one a thread:
// "pid P tid T" or the names mtviz gives), how many rows its flame chart
// takes: 1 when the thread's slices follow one another, more when the
// importer read one slice as nested in another (the staircase).
//
// speedscope is published as a web page only: its importer is inside the
// page's bundle (dist/release/speedscope-*.js), not a module to import.
// The bundle is run here in a sandbox with no page, stopped before it
// draws anything, and hands out its import module (the one whose
// importProfileGroupFromText the page uses for text files).
//
// Usage: node tracecheck.mjs FILE
// prints JSON: {"importer", "format" (as speedscope read it), "profiles": [{"name", "rows", "slices"}]}
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import vm from "node:vm";

function fail(msg) {
  process.stderr.write(`tracecheck: ${msg}\n`);
  process.exit(2);
}

// loadImporter runs speedscope's bundle up to its last statement (which
// draws the page) and returns its import module.
function loadImporter() {
  const require = createRequire(import.meta.url);
  let dir;
  try {
    dir = path.join(path.dirname(require.resolve("speedscope/package.json")), "dist", "release");
  } catch {
    fail("speedscope is not installed: run npm ci in scripts/tracecheck");
  }
  const version = JSON.parse(readFileSync(path.join(dir, "..", "..", "package.json"), "utf8")).version;
  const bundles = readdirSync(dir).filter((f) => /^speedscope-[A-Z0-9]+\.js$/.test(f));
  if (bundles.length !== 1) fail(`speedscope ${version}: expected one bundle in ${dir}, found ${bundles.length}`);
  const src = readFileSync(path.join(dir, bundles[0]), "utf8");
  // The import module: var NS={};DEFINE(NS,{importFromFileSystemDirectoryEntry:...,importProfileGroupFromText:...})
  const ns = /var ([\w$]+)=\{\};[\w$]+\(\1,\{importFromFileSystemDirectoryEntry:/.exec(src);
  if (!ns) fail(`speedscope ${version}: its import module was not found in ${bundles[0]}`);
  // ...which the page loads lazily: Promise.resolve().then(()=>(INIT(),NS))
  const init = new RegExp(`Promise\\.resolve\\(\\)\\.then\\(\\(\\)=>\\(([\\w$]+)\\(\\),${ns[1].replace(/\$/g, "\\$")}\\)\\)`).exec(src);
  if (!init) fail(`speedscope ${version}: the import module's initialiser was not found`);
  const last = src.lastIndexOf("console.log(`speedscope v");
  if (last < 0) fail(`speedscope ${version}: the bundle's last statement was not found`);
  const patched = src.slice(0, last) + `globalThis.__speedscopeImport=(${init[1]}(),${ns[1]});return;` + src.slice(last);
  const sandbox = pageless();
  vm.runInNewContext(patched, sandbox, { filename: bundles[0] });
  const mod = sandbox.__speedscopeImport;
  if (!mod || typeof mod.importProfileGroupFromText !== "function") fail(`speedscope ${version}: importProfileGroupFromText is not in its import module`);
  return { mod, version };
}

// said is what the bundle logged: its importer says which format it read.
const said = [];

// pageless is what the bundle's top level touches of a browser, doing
// nothing: no page is drawn, no storage kept.
function pageless() {
  const nothing = () =>
    new Proxy(function () {}, {
      get: (_, k) => (k === Symbol.toPrimitive ? () => "" : k === "then" ? undefined : nothing()),
      apply: () => nothing(),
      construct: () => nothing(),
    });
  const g = {
    console: { log: (m) => said.push(String(m)), warn() {}, error: console.error, info() {}, debug() {}, time() {}, timeEnd() {} },
    TextEncoder, TextDecoder, URL, URLSearchParams, setTimeout, clearTimeout, queueMicrotask,
    performance, atob, btoa,
  };
  g.window = g;
  g.self = g;
  for (const k of ["document", "navigator", "location", "localStorage", "sessionStorage", "matchMedia", "addEventListener", "removeEventListener", "requestAnimationFrame", "devicePixelRatio", "history", "Worker", "fetch"]) {
    g[k] = nothing();
  }
  return g;
}

// rows is the most slices a profile has open at once: its flame chart's
// rows. slices counts the slices.
function rows(profile) {
  let depth = 0, most = 0, slices = 0;
  profile.forEachCall(
    () => {
      depth++;
      slices++;
      most = Math.max(most, depth);
    },
    () => depth--,
  );
  return { rows: most, slices };
}

async function main() {
  const file = process.argv[2];
  if (!file) fail("usage: node tracecheck.mjs TRACE.json");
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    fail(`${file}: ${e.message}`);
  }
  const { mod, version } = loadImporter();
  const group = await mod.importProfileGroupFromText(path.basename(file), text);
  if (!group) fail(`${file}: speedscope ${version} did not recognise it`);
  const profiles = group.profiles.map((p) => ({ name: p.getName(), ...rows(p) }));
  const format = said.filter((m) => m.startsWith("Importing as ")).map((m) => m.slice("Importing as ".length));
  process.stdout.write(JSON.stringify({ importer: `speedscope ${version}`, format: format.join("; "), profiles }, null, 1) + "\n");
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
