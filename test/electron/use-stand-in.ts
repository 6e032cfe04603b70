/**
 * `node --import ./test/electron/use-stand-in.ts out/main/index.js`: every `electron` import of
 * the built main process resolves to the stand-in beside this file instead of the real package.
 */
import { registerHooks } from 'node:module';

const standIn = new URL('./electron-stand-in.ts', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'electron') return { url: standIn, shortCircuit: true };
    return nextResolve(specifier, context);
  },
});
