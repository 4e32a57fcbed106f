// Entry point of `npm run bench` (scripts/bench.sh): runs bench/main.ts with no build step. The
// .ts files it loads (the bench's own and the integration harness) are transpiled on load with the
// project's TypeScript; type checking is `npm run typecheck`'s job. Usage: node bench/run.js [options]
const fs = require("node:fs");
const ts = require("typescript");

process.setSourceMapsEnabled(true);
require.extensions[".ts"] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, "utf8"), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      inlineSourceMap: true,
    },
  });
  module._compile(outputText, filename);
};

require("./main.ts")
  .main(process.argv.slice(2))
  .then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
