import { resolve } from "node:path";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

/**
 * The support dashboard, built into admin/dist and served by the gateway at /admin
 * (`npm run build:admin`). `vite --config admin/vite.config.ts` serves it for development,
 * proxying the admin API to a gateway on :4000.
 */
const root = resolve(__dirname);

export default defineConfig({
  root,
  base: "/admin/",
  plugins: [react()],
  build: {
    outDir: resolve(root, "dist"),
    emptyOutDir: true,
    // react-admin + MUI + recharts are one app; a single large chunk is expected.
    chunkSizeWarningLimit: 4000,
  },
  server: {
    proxy: { "/admin/graphql": { target: "http://127.0.0.1:4000", ws: true } },
  },
});
