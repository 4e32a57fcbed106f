// Entry point of `npm run bench` (scripts/bench.sh): runs bench/main.ts with no build step. The .ts
// files it loads (the bench's and harness/) are transpiled on load; type checking is `npm run
// typecheck`'s job. Node16 modules keep import() as it is, which vega and vega-lite (ES modules) need.
const fs = require("node:fs");
const ts = require("typescript");

process.setSourceMapsEnabled(true);
require.extensions[".ts"] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, "utf8"), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.Node16,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      inlineSourceMap: true,
    },
  });
  module._compile(outputText, filename);
};

const fail = (err) => (console.error(err), process.exit(1));
require("./main.ts").main(process.argv.slice(2)).then(process.exit, fail);
