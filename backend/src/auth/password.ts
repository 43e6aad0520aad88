import { HashWorkers } from './hash-workers';

const BCRYPT_COST = 11;
// Compared against when the email is unknown, so a miss costs as long as a wrong password.
const DUMMY_HASH = '$2b$11$xHpDZTa8yFOn7KInyn1uO.nWsVmPFf3TSprTBz8xrXZMlCzSIR0/u';

/** Off the event loop: a login must not stall the conversations the server is relaying. */
export const hashWorkers = new HashWorkers();

export const hashPassword = (password: string): Promise<string> => hashWorkers.hash(password, BCRYPT_COST);

/**
 * Takes as long for an unknown account, or one invited by link that has no password yet (no
 * hash), as for a wrong password: there is always exactly one full-cost comparison.
 */
export async function verifyPassword(password: string, passwordHash: string | undefined): Promise<boolean> {
  const ok = await hashWorkers.compare(password, passwordHash || DUMMY_HASH);
  return ok && Boolean(passwordHash);
}
