// Captures Azurite's List Blobs answers over the seeded container as the renderer's unit-test fixtures
// (tests/unit/fixtures/azure_list/*.xml). Rerun after changing the seed:
//   node tests/azurite/capture_lists.mjs http://127.0.0.1:PORT
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { azureFetch, DEV_ACCOUNT } from "./shared_key.mjs";
import { CONTAINER } from "./seed.mjs";

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../unit/fixtures/azure_list");
const list = async (query) => {
  const r = await azureFetch(process.argv[2], { path: `/${DEV_ACCOUNT}/${CONTAINER}`,
    query: [["restype", "container"], ["comp", "list"], ...query] });
  if (r.status !== 200) throw new Error(`list ${JSON.stringify(query)}: ${r.status}`);
  return r.text();
};
const cases = {
  "all": [],
  "prefix_data": [["prefix", "data/"]],
  "prefix_data_delim": [["prefix", "data/"], ["delimiter", "/"]],
  "prefix_deep_delim": [["prefix", "data/deep/"], ["delimiter", "/"]],
  "root_delim": [["delimiter", "/"]],
  "page1": [["prefix", "data/"], ["maxresults", "3"]],
  "empty": [["prefix", "nothing/"]],
};
for (const [name, query] of Object.entries(cases)) fs.writeFileSync(path.join(OUT, `${name}.xml`), await list(query));
// The second page: the first page's NextMarker, as the proxy would carry it in its continuation token.
const marker = /<NextMarker>([^<]*)<\/NextMarker>/.exec(fs.readFileSync(path.join(OUT, "page1.xml"), "utf8"))[1];
fs.writeFileSync(path.join(OUT, "page2.xml"), await list([["prefix", "data/"], ["maxresults", "3"], ["marker", marker]]));
