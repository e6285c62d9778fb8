// Copy the files the map and the API docs need from node_modules to static/vendor (served
// at /static/vendor), and write static/vendor/manifest.json: the files, the packages'
// versions and the package-lock.json they came from. The package build (setup.py) runs
// this when the manifest is missing, names a missing file or another package-lock.json.
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const out = new URL("./static/vendor/", import.meta.url);
rmSync(out, { recursive: true, force: true });
const files = {
  "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
  "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
  "leaflet/dist/images": "leaflet/images",
  "leaflet/LICENSE": "leaflet/LICENSE",
  "leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js": "vectorgrid/Leaflet.VectorGrid.bundled.min.js",
  "leaflet.vectorgrid/package.json": "vectorgrid/package.json",
  // the static map site reads its tiles from PMTiles archives (HTTP range requests)
  "pmtiles/dist/pmtiles.js": "pmtiles/pmtiles.js",
  "pmtiles/package.json": "pmtiles/package.json",
  // the API documentation pages (/docs, /redoc)
  "swagger-ui-dist/swagger-ui-bundle.js": "swagger-ui/swagger-ui-bundle.js",
  "swagger-ui-dist/swagger-ui.css": "swagger-ui/swagger-ui.css",
  "swagger-ui-dist/favicon-32x32.png": "swagger-ui/favicon-32x32.png",
  "swagger-ui-dist/LICENSE": "swagger-ui/LICENSE",
  "redoc/bundles/redoc.standalone.js": "redoc/redoc.standalone.js",
  "redoc/LICENSE": "redoc/LICENSE",
};
for (const [from, to] of Object.entries(files)) {
  const dest = new URL(to, out);
  mkdirSync(new URL(".", dest), { recursive: true });
  cpSync(new URL(`./node_modules/${from}`, import.meta.url), dest, { recursive: true });
}
const read = (p) => readFileSync(new URL(p, import.meta.url));
const packages = Object.fromEntries(
  Object.keys(JSON.parse(read("./package.json")).dependencies).map((name) => [
    name,
    JSON.parse(read(`./node_modules/${name}/package.json`)).version,
  ]),
);
const manifest = {
  files: Object.values(files),
  packages,
  lockfile_sha256: createHash("sha256").update(read("./package-lock.json")).digest("hex"),
};
writeFileSync(new URL("manifest.json", out), JSON.stringify(manifest, null, 2) + "\n");
console.log(`vendored ${Object.keys(files).length} entries into ${out.pathname}`);
