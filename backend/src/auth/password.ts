import { compare, hash } from 'bcryptjs';

const BCRYPT_COST = 11;
// Compared against when the email is unknown, so a miss costs as long as a wrong password.
const DUMMY_HASH = '$2b$11$xHpDZTa8yFOn7KInyn1uO.nWsVmPFf3TSprTBz8xrXZMlCzSIR0/u';

export const hashPassword = (password: string): Promise<string> => hash(password, BCRYPT_COST);

/**
 * Takes as long for an unknown account, or one invited by link that has no password yet (no
 * hash), as for a wrong password.
 */
export async function verifyPassword(password: string, passwordHash: string | undefined): Promise<boolean> {
  const ok = await compare(password, passwordHash || DUMMY_HASH);
  return ok && Boolean(passwordHash);
}
