// node validate_many.mjs INDEX_JS
// The Open XML SDK validator whose module is INDEX_JS (@ooxml-tools/validate's
// dist/npm/index.js), loaded once and kept: each line read is a JSON list of files, and
// the answer is one line, {"FILE": [finding, ...], ...}, each list as
// `ooxml-validate FILE --output-format json` prints it. Ends when its input does.
import { readFile } from "fs/promises";
import { createInterface } from "readline";
import { pathToFileURL } from "url";

const mod = await import(pathToFileURL(process.argv[2]).href);
for await (const line of createInterface({ input: process.stdin })) {
  const out = {};
  for (const file of JSON.parse(line)) {
    out[file] = await mod.default(await readFile(file), mod.getFileFormatFromName(file), mod.OFFICE_VERSIONS[0]);
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}
process.exit(0);
