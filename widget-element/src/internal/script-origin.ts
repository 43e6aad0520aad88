/**
 * Where this script was loaded from: the default `server`, since the backend serves the bundle
 * itself. Read once at load, because document.currentScript is only set while a classic script
 * runs for the first time.
 */
function detectScriptOrigin(): string {
  try {
    const current = typeof document === 'undefined' ? null : document.currentScript;
    const src = current instanceof HTMLScriptElement && current.src ? current.src : import.meta.url;
    const origin = new URL(src).origin;
    if (origin !== 'null') return origin;
  } catch {
    // Fall through to the page's own origin.
  }
  return typeof location === 'undefined' ? '' : location.origin;
}

export const scriptOrigin = detectScriptOrigin();
