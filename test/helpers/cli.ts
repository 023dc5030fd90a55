import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

/** The built CLI (npm test builds it first), run as an operator would. */
export const CLI = resolve(__dirname, "../../dist/server/src/main.js");

/** Environment for a child gateway: only what we pass, plus PATH, so the developer's shell doesn't leak in. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
}

export function runCli(args: string[], env: Record<string, string>, cwd?: string, input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: childEnv(env), cwd, encoding: "utf8", timeout: 60_000, input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** runCli without blocking the test's event loop, so that several commands can run at once. */
export function runCliAsync(args: string[], env: Record<string, string>, input?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: childEnv(env), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolveRun({ status, stdout, stderr });
    });
    child.stdin!.end(input ?? "");
  });
}

/** Starts `otp-gateway serve` and resolves once it logs that it is listening. */
export function startServe(args: string[], env: Record<string, string>, cwd?: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [CLI, "serve", ...args], { env: childEnv(env), cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 60_000);
    const check = () => {
      if (out.includes("otp-gateway listening")) {
        clearTimeout(timer);
        resolveStart({ child, output: () => out });
      }
    };
    child.stdout!.on("data", check);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}`));
    });
  });
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once("exit", (code) => r(code))));
}
