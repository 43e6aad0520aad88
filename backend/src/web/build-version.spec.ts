import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuildVersion, isVersionedFile } from './build-version';

describe('BuildVersion', () => {
  const dir = mkdtempSync(join(tmpdir(), 'build-version-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is null until a script is built, then a hash that follows the content, not the twins', async () => {
    const version = new BuildVersion(dir);
    expect(await version.current()).toBeNull();
    writeFileSync(join(dir, 'support-chat.js'), 'export const a = 1;');
    const first = await version.current();
    expect(first).toMatch(/^[0-9a-f]{12}$/);
    writeFileSync(join(dir, 'support-chat.js.br'), 'twin');
    expect(await version.current()).toBe(first);

    // Same size, so only the mtime says it changed.
    writeFileSync(join(dir, 'support-chat.js'), 'export const a = 2;');
    const later = Date.now() / 1000 + 5;
    utimesSync(join(dir, 'support-chat.js'), later, later);
    const second = await version.current();
    expect(second).not.toBe(first);
    expect(await new BuildVersion(dir).current()).toBe(second);
  });

  it.each([
    ['support-chat.iife.js', true],
    ['support-chat.js.map', true],
    ['custom-elements.json', true],
    ['support-chat.js.br', false],
    ['.hidden.js', false],
    ['types', false],
    ['a b.js', false],
  ])('isVersionedFile(%j) is %j', (name, expected) => expect(isVersionedFile(name)).toBe(expected));
});
