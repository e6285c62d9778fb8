// Copy KaTeX from node_modules into the documentation (docs/assets/katex, not committed),
// so that the site renders its formulas with no CDN. Run by scripts/docs.sh.
import { cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";

const from = new URL("./node_modules/katex/dist/", import.meta.url);
const out = new URL("../docs/assets/katex/", import.meta.url);
rmSync(out, { recursive: true, force: true });
mkdirSync(new URL("fonts/", out), { recursive: true });
for (const f of ["katex.min.js", "katex.min.css", "contrib/auto-render.min.js"]) {
  cpSync(new URL(f, from), new URL(f.split("/").pop(), out));
}
const fonts = readdirSync(new URL("fonts/", from)).filter((f) => f.endsWith(".woff2"));
for (const f of fonts) cpSync(new URL(`fonts/${f}`, from), new URL(`fonts/${f}`, out));
cpSync(new URL("./node_modules/katex/LICENSE", import.meta.url), new URL("LICENSE", out));
console.log(`KaTeX: 3 files and ${fonts.length} fonts into ${out.pathname}`);
