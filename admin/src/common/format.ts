export const percent = (rate: number | null | undefined) => (rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`);
export const ms = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${Math.round(v)} ms`);
export const time = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour12: false, hour: "2-digit", minute: "2-digit", second: "2-digit" });
export const dateTime = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString(undefined, { hour12: false }) : "—");
