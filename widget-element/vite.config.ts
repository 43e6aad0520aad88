import { defineConfig, type Plugin } from 'vite';

/**
 * Lit's css`` templates are strings to the minifier, so their whitespace and comments would ship
 * as written; at 30 KB gzip for the whole element that is worth a small, safe squeeze.
 */
function minifyCssTemplates(): Plugin {
  return {
    name: 'minify-css-templates',
    transform(code, id) {
      if (!id.endsWith('/styles.ts')) return null;
      // Only whitespace inside one template changes, so no source map is worth generating.
      const out = code.replace(/css`([^`]*)`/g, (_, body: string) => {
        const min = body
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\s+/g, ' ')
          .replace(/\s*([{};,>])\s*/g, '$1')
          .replace(/:\s+/g, ':')
          .replace(/;}/g, '}')
          .trim();
        return `css\`${min}\``;
      });
      return { code: out, map: null };
    },
  };
}

/**
 * Drops engine.io's WebTransport client (and the stream codec only it uses). The server offers
 * no WebTransport, so a client never upgrades to it; its code was about 1 KB of the budget.
 */
function withoutWebTransport(): Plugin {
  return {
    name: 'without-webtransport',
    transform(code, id) {
      if (!id.replace(/\\/g, '/').endsWith('engine.io-client/build/esm/transports/index.js')) return null;
      const out = code.replace(/^import \{ WT \} from .*$/m, '').replace(/^\s*webtransport: WT,$/m, '');
      if (out.includes('WT')) throw new Error('engine.io-client changed: review the without-webtransport plugin');
      return { code: out, map: null };
    },
  };
}

// Library build: one ES module for bundlers and `<script type="module">`, one classic script for
// plain `<script src>`; both carry Lit and socket.io-client so a host page needs nothing else.
export default defineConfig({
  plugins: [minifyCssTemplates(), withoutWebTransport()],
  build: {
    target: 'es2021',
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: true,
    lib: {
      entry: 'src/support-chat.ts',
      name: 'SupportChat',
      formats: ['es', 'iife'],
      fileName: (format) => (format === 'es' ? 'support-chat.js' : 'support-chat.iife.js'),
    },
    rolldownOptions: {
      output: { minify: true },
      onLog(level, log, handler) {
        // The classic script finds its origin through document.currentScript; import.meta.url is
        // only the ES module's way, and an empty object in the IIFE is exactly what it expects.
        if (log.code === 'EMPTY_IMPORT_META') return;
        handler(level, log);
      },
    },
  },
});
