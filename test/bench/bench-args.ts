/** `npm run bench -- [options]`; every default is what the README's table was made with. */
export interface BenchArgs {
  durationS: number;
  connections: number;
  subscriptions: number;
  subConnections: number;
  subVerifications: number;
  dispatchBacklog: number;
  logLevel: string;
  profile: boolean;
  peer: boolean;
  out: string;
  updateReadme: boolean;
  /** The SMS-pumping simulation and the guard's cost (pumping.ts) after the table. */
  pumping: boolean;
}

const HELP = `npm run bench -- [--duration S] [--connections N] [--subscriptions N] [--sub-connections N]
  [--sub-verifications N] [--dispatch N] [--log-level L] [--profile] [--no-peer] [--out FILE] [--update-readme] [--no-pumping]`;

export function parseBenchArgs(argv: string[]): BenchArgs {
  const a: BenchArgs = {
    durationS: 30, connections: 32, subscriptions: 10_000, subConnections: 200, subVerifications: 100, dispatchBacklog: 5_000,
    logLevel: "info", profile: false, peer: true, out: "bench-results/latest.json", updateReadme: false, pumping: true,
  };
  const num = (v: string | undefined, name: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number\n${HELP}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i];
    switch (flag) {
      case "--duration": a.durationS = num(value(), flag); break;
      case "--connections": a.connections = num(value(), flag); break;
      case "--subscriptions": a.subscriptions = num(value(), flag); break;
      case "--sub-connections": a.subConnections = num(value(), flag); break;
      case "--sub-verifications": a.subVerifications = num(value(), flag); break;
      case "--dispatch": a.dispatchBacklog = num(value(), flag); break;
      case "--log-level": a.logLevel = value(); break;
      case "--profile": a.profile = true; break;
      case "--no-peer": a.peer = false; break;
      case "--out": a.out = value(); break;
      case "--update-readme": a.updateReadme = true; break;
      case "--no-pumping": a.pumping = false; break;
      case "--help": case "-h": process.stdout.write(HELP + "\n"); process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default: throw new Error(`unknown option ${flag}\n${HELP}`);
    }
  }
  return a;
}
