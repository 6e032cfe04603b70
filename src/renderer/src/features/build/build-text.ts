/**
 * The engine's build explanations (cache miss causes, order advice) in the user's language. The
 * engine sends them as data; paths, digests and instruction text are shown exactly as they are.
 */
import { useI18n } from 'vue-i18n';
import type { BuildAdvice, BuildFileChange, BuildMissReason } from '../../../../shared/contract.ts';
import { humanSize } from '../../../../shared/units.ts';

/** `sha256:3f…` → `sha256 3f…`, as the CLI abbreviates digests in a miss reason. */
export function shortDigest(d: string): string {
  return d.startsWith('sha256:') ? `sha256 ${d.slice(7, 9)}…` : d;
}

export function useBuildText() {
  const { t } = useI18n();

  function seconds(ms: number): string {
    return t('build.seconds', { s: (ms / 1000).toFixed(1) });
  }

  function fileChange(c: BuildFileChange): string {
    if (c.change === 'changed') {
      // As the CLI: `sha256 3f…→9a…` (the algorithm once, when both sides share it).
      const both = c.from.startsWith('sha256:') && c.to.startsWith('sha256:');
      return t('build.reason.file.changed', { path: c.path, from: shortDigest(c.from), to: both ? `${c.to.slice(7, 9)}…` : shortDigest(c.to) });
    }
    return t(`build.reason.file.${c.change}`, { path: c.path });
  }

  /** The cause in words, or undefined for a code this view does not know (a newer engine). */
  function cause(r: BuildMissReason): string | undefined {
    switch (r.code) {
      case 'first-build': return t('build.reason.firstBuild');
      case 'not-in-cache': return t('build.reason.notInCache');
      case 'no-cache': return t('build.reason.noCache');
      case 'parent-missed': return t('build.reason.parentMissed', { step: r.step });
      case 'base-image-changed': return t('build.reason.baseImageChanged');
      case 'instruction-changed': return t('build.reason.instructionChanged');
      case 'build-arg-changed': return t('build.reason.buildArgChanged', { names: r.names.join(', ') });
      case 'files-changed': {
        const parts = r.files.map(fileChange);
        if (r.more > 0) parts.push(t('build.reason.file.more', { count: r.more }));
        return t('build.reason.filesChanged', { files: parts.join(', ') });
      }
      case 'source-changed': return t('build.reason.sourceChanged');
      case 'content-changed': return t('build.reason.contentChanged');
      default: return undefined;
    }
  }

  /** Why a step ran again; the engine's English line only when the cause is unknown here. */
  function missText(step: { missReason?: string; missCause?: BuildMissReason }): string {
    const words = step.missCause ? cause(step.missCause) : undefined;
    if (words === undefined || !step.missCause) return step.missReason ?? '';
    return t('build.reason.withInstruction', { instruction: step.missCause.instruction, cause: words });
  }

  function advice(a: BuildAdvice) {
    return {
      headline: t('build.advice.line', { line: a.line, instruction: a.instruction, changed: a.changedBuilds, builds: a.comparedBuilds }),
      below: t('build.advice.stable', { count: a.stableBelow.length }),
      steps: a.stableBelow.map((s) => t('build.advice.stableStep', { line: s.line, instruction: s.instruction, time: seconds(s.meanMs), size: humanSize(s.meanBytes) })),
      saving: t('build.advice.saving', { time: seconds(a.savedMs), size: humanSize(a.savedBytes) }),
    };
  }

  return { missText, advice, seconds };
}
