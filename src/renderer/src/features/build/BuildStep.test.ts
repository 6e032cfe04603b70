// @vitest-environment happy-dom
/**
 * The build step and advice components render the engine's structured reasons through the
 * catalogues: in Korean no English reason text and no raw key, with paths, digests and
 * instruction text kept verbatim; in English the wording the e2e run reads; the engine's English
 * line only for a cause code this view does not know.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import BuildStep from './BuildStep.vue';
import BuildAdviceItem from './BuildAdviceItem.vue';
import { i18n, setLocale } from '../../i18n/index.ts';
import { en } from '../../i18n/en.ts';
import type { BuildAdvice, BuildMissReason } from '../../../../shared/contract.ts';
import type { StepView } from '../../stores/build.ts';
import { missReasonText } from '../../../../main/engine/build/cache.ts';

const FROM = `sha256:3f${'0'.repeat(62)}`;
const TO = `sha256:9a${'1'.repeat(62)}`;

/** One cause of every code the engine produces (api.ts BuildMissCause). */
const CAUSES: BuildMissReason[] = [
  { code: 'first-build', instruction: 'WORKDIR' },
  { code: 'not-in-cache', instruction: 'COPY f.txt /f.txt' },
  { code: 'no-cache', instruction: 'RUN' },
  { code: 'parent-missed', instruction: 'CMD', step: '[3/7]' },
  { code: 'base-image-changed', instruction: 'FROM' },
  { code: 'instruction-changed', instruction: 'LABEL' },
  { code: 'build-arg-changed', instruction: 'ARG', names: ['VERSION', 'MODE'] },
  {
    code: 'files-changed', instruction: 'COPY app.js .', more: 3,
    files: [{ path: 'app.js', change: 'changed', from: FROM, to: TO }, { path: 'new.txt', change: 'added' }, { path: 'old.txt', change: 'removed' }],
  },
  { code: 'source-changed', instruction: 'COPY --from=builder /out /out' },
  { code: 'content-changed', instruction: 'COPY run.sh /run.sh' },
];

function step(cause: BuildMissReason | undefined, reason = cause ? missReasonText(cause) : ''): StepView {
  return {
    type: 'step', n: 9, name: `[2/5] ${cause?.instruction ?? 'RUN'}`, stage: '', state: 'done', durationMs: 1200, logs: [],
    missReason: reason, ...(cause ? { missCause: cause } : {}),
  };
}

function leaves(obj: object, prefix = ''): [string, string][] {
  return Object.entries(obj).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? leaves(v as object, `${prefix}${k}.`) : [[`${prefix}${k}`, String(v)] as [string, string]]));
}

/** The English words of the build explanations, without their placeholders. */
const ENGLISH = leaves(en.build).filter(([k]) => /^(reason|advice)\./.test(k) || k === 'cachedWhy' || k === 'missReason')
  .flatMap(([, v]) => v.split(/\{\w+\}/))
  .map((s) => s.trim())
  .filter((s) => /[a-z]{3}/.test(s));

function mountIn(locale: 'en' | 'ko', component: unknown, props: object) {
  setLocale(locale);
  const missing: string[] = [];
  i18n.global.setMissingHandler((_l, key) => {
    missing.push(key);
    return key;
  });
  const w = mount(component as never, { props: props as never, global: { plugins: [i18n] } });
  return { w, missing };
}

afterEach(() => {
  i18n.global.setMissingHandler(null);
  setLocale('en');
});

describe('BuildStep', () => {
  for (const cause of CAUSES) {
    it(`renders ${cause.code} in Korean with no English reason and no raw key`, () => {
      const { w, missing } = mountIn('ko', BuildStep, { step: step(cause) });
      const text = w.find('[data-testid="miss-reason"]').text();
      expect(missing).toEqual([]);
      expect(text).not.toMatch(/build\.(reason|missReason)/);
      expect(/[가-힣]/.test(text), text).toBe(true);
      expect(text).not.toContain(missReasonText(cause).slice(cause.instruction.length + 2));
      for (const phrase of ENGLISH) expect(text, phrase).not.toContain(phrase);
      // What the user wrote and what identifies content stays as it is.
      expect(text).toContain(cause.instruction);
      if (cause.code === 'parent-missed') expect(text).toContain('[3/7]');
      if (cause.code === 'build-arg-changed') expect(text).toContain('VERSION, MODE');
      if (cause.code === 'files-changed') {
        for (const p of ['app.js', 'new.txt', 'old.txt', 'sha256 3f…→9a…', '3']) expect(text).toContain(p);
      }
      expect(w.find('[data-testid="miss-reason"]').attributes('data-code')).toBe(cause.code);
    });
  }

  it('explains in English the way the e2e run reads it', () => {
    const parent = mountIn('en', BuildStep, { step: step(CAUSES[3]) }).w.text();
    expect(parent).toContain('Ran again: CMD: an earlier step changed ([3/7] missed)');
    const files = mountIn('en', BuildStep, { step: step(CAUSES[7]) }).w.text();
    expect(files).toContain('COPY app.js .: app.js changed (sha256 3f…→9a…), new.txt added, old.txt removed, and 3 more');
  });

  it('falls back to the engine\'s English line only for a code it does not know', () => {
    const future = { code: 'cache-mount-changed', instruction: 'RUN' } as unknown as BuildMissReason;
    const { w, missing } = mountIn('ko', BuildStep, { step: step(future, 'RUN: cache mount /root/.npm changed') });
    expect(missing).toEqual([]);
    expect(w.find('[data-testid="miss-reason"]').text()).toBe('다시 실행된 이유: RUN: cache mount /root/.npm changed');
  });

  it('says why a CACHED step was reused, in Korean', () => {
    const cached: StepView = { type: 'step', n: 2, name: '[2/5] ENV A=1', stage: '', state: 'cached', logs: [] };
    const { w, missing } = mountIn('ko', BuildStep, { step: cached });
    expect(missing).toEqual([]);
    expect(w.find('[data-testid="miss-reason"]').exists()).toBe(false);
    expect(w.find('.chip').attributes('title')).toMatch(/[가-힣]/);
  });
});

describe('BuildAdviceItem', () => {
  const advice: BuildAdvice = {
    stage: '', line: 4, instruction: 'COPY app.sh .', changedBuilds: 2, comparedBuilds: 2, savedMs: 3400, savedBytes: 1_250_000,
    stableBelow: [{ line: 5, instruction: 'RUN npm ci', meanMs: 3400, meanBytes: 1_250_000 }, { line: 6, instruction: 'CMD ["sh"]', meanMs: 0, meanBytes: 0 }],
    message: 'line 4: "COPY app.sh ." changed in 2 of 2 rebuilds and sits above 2 stable steps …',
  };

  it('shows lines, time and bytes in Korean with no English and no raw key', () => {
    const { w, missing } = mountIn('ko', BuildAdviceItem, { advice });
    const text = w.text();
    expect(missing).toEqual([]);
    expect(text).not.toMatch(/build\.advice/);
    for (const phrase of ENGLISH) expect(text, phrase).not.toContain(phrase);
    expect(text).not.toContain(advice.message);
    for (const s of ['4번째 줄', 'COPY app.sh .', '5번째 줄', 'RUN npm ci', '6번째 줄', '3.4초', '1.25MB', '2개']) expect(text).toContain(s);
  });

  it('shows the same in English', () => {
    const text = mountIn('en', BuildAdviceItem, { advice }).w.text();
    expect(text).toContain('Line 4: COPY app.sh . changed in 2 of the last 2 rebuilds.');
    expect(text).toContain('line 5: RUN npm ci · 3.4 s · 1.25MB');
    expect(text).toContain('save about 3.4 s and 1.25MB');
  });
});
