// Builds dist/: index.html, app.js (the player and hls.js, bundled and minified), app.css.
// `node build.mjs --watch` rebuilds on change.
import { build, context } from "esbuild";
import { copyFile, mkdir, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const src = join(root, "src");
const dist = join(root, "dist");
const watch = process.argv.includes("--watch");

const options = {
  entryPoints: [
    { in: join(src, "main.ts"), out: "app" },
    { in: join(src, "style.css"), out: "app" },
  ],
  outdir: dist,
  bundle: true,
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  format: "iife",
  target: ["chrome109", "firefox115", "safari16"],
  legalComments: "linked",
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
};

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await copyFile(join(src, "index.html"), join(dist, "index.html"));
if (watch) {
  const ctx = await context(options);
  await ctx.watch();
  console.log("watching src/ ...");
} else {
  await build(options);
  for (const name of ["index.html", "app.js", "app.css"]) {
    const { size } = await stat(join(dist, name));
    console.log(`dist/${name.padEnd(11)} ${(size / 1024).toFixed(1).padStart(7)} KiB`);
  }
}
