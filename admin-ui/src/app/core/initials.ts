/**
 * Avatar letters for a name: the first letters of its first and last words, as the server
 * computes them for the team list, so a name looks the same on a message as in the team.
 */
export function initials(name: string | null | undefined): string {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  const picked = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return picked.map((w) => Array.from(w)[0]?.toUpperCase() ?? '').join('') || '?';
}
