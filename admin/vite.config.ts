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
    // react-admin with its router and forms is one ~540 kB library; the warning is for larger.
    chunkSizeWarningLimit: 600,
    // The sign-in screen needs React, MUI and react-admin; every page and the home page's charts
    // are loaded when first opened (common/lazyPage.ts). Libraries get chunks of their own, named
    // by library, so a release that changes only our pages leaves the browser's cached copies good.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 3 },
            { name: "mui", test: /node_modules[\\/](@mui|@emotion|@popperjs|react-transition-group|stylis)/, priority: 2 },
            { name: "react-admin", test: /node_modules[\\/](react-admin|ra-[a-z-]+|react-router|@tanstack|react-hook-form)[\\/]/, priority: 1 },
            // recharts and the rest of the home page's libraries stay with the (lazy) home page.
          ],
        },
      },
    },
  },
  server: {
    proxy: { "/admin/graphql": { target: "http://127.0.0.1:4000", ws: true } },
  },
});
