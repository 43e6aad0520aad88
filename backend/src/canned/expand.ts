/** What a canned reply's variables stand for; a value that is missing stays as written. */
export interface CannedContext {
  user: { name: string | null; email: string | null };
  agent: { name: string | null };
}

const VARIABLE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * Fills `{{user.name}}`, `{{user.email}}` and `{{agent.name}}`. Anything else in braces, and a
 * known variable without a value (a user who gave no name), is left as written so the agent sees
 * it and fixes it before sending; `unfilled` names each once, in order of appearance.
 */
export function expandCanned(template: string, context: CannedContext): { content: string; unfilled: string[] } {
  const values: Record<string, string | null> = {
    'user.name': context.user.name?.trim() || null,
    'user.email': context.user.email?.trim() || null,
    'agent.name': context.agent.name?.trim() || null,
  };
  const unfilled: string[] = [];
  const content = template.replace(VARIABLE, (whole: string, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : null;
    if (value !== null) return value;
    if (!unfilled.includes(whole)) unfilled.push(whole);
    return whole;
  });
  return { content, unfilled };
}
