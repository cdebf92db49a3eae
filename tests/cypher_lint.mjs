// Neo4j's own Cypher front end (parser and semantic analysis, compiled to JavaScript in the npm
// package @neo4j-cypher/language-support) over a batch of statements: tests/test_neo4j_syntax.py
// runs it; .ci/run installs the pinned package into .cypher-lint/.
//
//   node tests/cypher_lint.mjs [PACKAGE_FOLDER] < request.json > diagnostics.json
//
// PACKAGE_FOLDER holds node_modules/@neo4j-cypher/language-support (default: CYPHER_LINT_DIR,
// else .cypher-lint beside tests/). The request:
//
//   {"queries": [{"name": "...", "text": "...", "parameters": {"unit": ""}}],
//    "schema": {"labels": [...], "relationshipTypes": [...], "propertyKeys": [...],
//               "graphSchema": [{"from": "Agency", "relType": "RESPONSIBLE_FOR", "to": "Task"}]},
//    "versions": ["CYPHER 5", "CYPHER 25"]}
//
// Every query is linted once per Cypher version (the version a server runs a query without a
// CYPHER prefix in), with its own parameters declared (an undeclared $name is an error). Functions
// and procedures are Neo4j's built-in ones, as listed in the package's own schema sample (taken
// from a server's SHOW FUNCTIONS / SHOW PROCEDURES; plugins such as APOC left out), so a function
// Neo4j lacks is an error and a deprecated one a warning. The answer:
//
//   {"package": "2.0.0-next.38", "node": "v20...",
//    "results": [{"name": "...", "version": "CYPHER 5", "diagnostics": [
//        {"severity": "error", "message": "...", "line": 1, "column": 1, "text": "exists(n.prop)",
//         "deprecated": false}]}]}
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = '@neo4j-cypher/language-support';
const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };
const DEPRECATED_TAG = 2; // vscode-languageserver-types DiagnosticTag.Deprecated

const here = path.dirname(fileURLToPath(import.meta.url));
const folder = path.resolve(process.argv[2] || process.env.CYPHER_LINT_DIR || path.join(here, '..', '.cypher-lint'));
const require = createRequire(path.join(folder, 'package.json'));
const support = require(PACKAGE);
const version = JSON.parse(readFileSync(path.join(folder, 'node_modules', PACKAGE, 'package.json'), 'utf8')).version;

function builtIns(registry, keep) {
  const out = {};
  for (const [cypherVersion, entries] of Object.entries(registry || {})) {
    out[cypherVersion] = Object.fromEntries(Object.entries(entries).filter(([name, entry]) => keep(name, entry)));
  }
  return out;
}

const sample = support.testData.mockSchema;
const functions = builtIns(sample.functions, (_, fn) => fn.isBuiltIn);
const procedures = builtIns(sample.procedures, (name) => !name.startsWith('apoc.'));

function lint(text, schema, parameters, cypherVersion) {
  const dbSchema = { ...schema, functions, procedures, parameters: parameters || {}, defaultLanguage: cypherVersion };
  const linted = support.lintCypherQuery(text, dbSchema);
  // Before 2.0.0-next.26 the function returned the diagnostics alone.
  const diagnostics = Array.isArray(linted) ? linted : linted.diagnostics;
  return diagnostics.map((d) => ({
    severity: SEVERITY[d.severity] || String(d.severity),
    message: d.message,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    text: text.slice(d.offsets.start, Math.max(d.offsets.end, d.offsets.start)).slice(0, 200),
    deprecated: (d.tags || []).includes(DEPRECATED_TAG) || /deprecated/i.test(d.message),
  }));
}

const request = JSON.parse(readFileSync(0, 'utf8'));
const versions = request.versions || ['CYPHER 5', 'CYPHER 25'];
const results = [];
for (const query of request.queries) {
  for (const cypherVersion of versions) {
    let diagnostics;
    try {
      diagnostics = lint(query.text, request.schema || {}, query.parameters, cypherVersion);
    } catch (error) {
      diagnostics = [{ severity: 'error', message: `the checker failed: ${error && error.message}`, line: 1,
                       column: 1, text: '', deprecated: false }];
    }
    results.push({ name: query.name, version: cypherVersion, diagnostics });
  }
}
process.stdout.write(JSON.stringify({ package: version, node: process.version, results }));
