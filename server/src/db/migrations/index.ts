import { Initial1764100000000 } from "./1764100000000-Initial";

/** Every migration, oldest first. A new migration is a new file here, never an edit of an applied one. */
export const migrations = [Initial1764100000000];
