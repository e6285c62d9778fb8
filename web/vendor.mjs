// Copy the files the map needs from node_modules to static/vendor (served at /static/vendor).
import { cpSync, mkdirSync, rmSync } from "node:fs";

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
console.log(`vendored ${Object.keys(files).length} entries into ${out.pathname}`);
