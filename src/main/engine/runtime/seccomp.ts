/**
 * docker's default seccomp profile (seccomp/default-profile.json, data the project owns) compiled
 * to the classic-BPF program bwrap's `--seccomp FD` loads (an array of struct sock_filter). The
 * same filter guards RUN, `run` and `exec`. Layout:
 *   check the arch (another ABI: kill) · load the syscall number · [x86_64: x32 numbers fail]
 *   · the conditional rules (argument checks) · the allowed numbers as sorted ranges · EPERM.
 */
import profileData from './seccomp/default-profile.json' with { type: 'json' };
import syscallData from './seccomp/syscalls.json' with { type: 'json' };

export type SeccompArch = 'x86_64' | 'aarch64';

interface ArgCheck { index: number; op: 'eq' | 'ne' | 'maskedEq'; value: number; mask?: number; bits?: number }
interface Rule { names: string[]; args?: ArgCheck[]; arches?: string[]; ifCaps?: string[]; unlessCaps?: string[]; errno?: number }
export interface SeccompProfile { defaultErrno: number; allow: string[]; rules: Rule[] }

export const DEFAULT_PROFILE = profileData as SeccompProfile;

/** linux/audit.h: EM_X86_64 / EM_AARCH64 with __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
const AUDIT_ARCH: Record<SeccompArch, number> = { x86_64: 0xc000003e, aarch64: 0xc00000b7 };
/** x32 syscalls reach an x86_64 filter with this bit set in the number (docker's profile lists no x32). */
const X32_SYSCALL_BIT = 0x40000000;

const LD_W_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS
const ALU_AND_K = 0x54; // BPF_ALU | BPF_AND | BPF_K
const JEQ_K = 0x15;
const JGT_K = 0x25;
const JGE_K = 0x35;
const RET_K = 0x06;
const RET_KILL_PROCESS = 0x80000000;
const RET_ERRNO = 0x00050000;
const RET_ALLOW = 0x7fff0000;
/** struct seccomp_data: nr, arch, instruction_pointer, then args[6] as u64 (little-endian on both arches). */
const OFF_NR = 0;
const OFF_ARCH = 4;
const argLow = (i: number): number => 16 + 8 * i;
const argHigh = (i: number): number => 16 + 8 * i + 4;
const BPF_MAXINSNS = 4096;

/** The seccomp arch of this Node process, or undefined where the profile has no syscall table. */
export function seccompArch(nodeArch: string = process.arch): SeccompArch | undefined {
  return nodeArch === 'x64' ? 'x86_64' : nodeArch === 'arm64' ? 'aarch64' : undefined;
}

type Target = number | string; // a relative skip, or a label
interface Insn { code: number; jt: Target; jf: Target; k: number }

class Program {
  readonly insns: Insn[] = [];
  private readonly labels = new Map<string, number>();
  private next = 0;
  label(): string {
    return `L${this.next++}`;
  }
  mark(label: string): void {
    this.labels.set(label, this.insns.length);
  }
  ld(offset: number): void {
    this.insns.push({ code: LD_W_ABS, jt: 0, jf: 0, k: offset });
  }
  and(k: number): void {
    this.insns.push({ code: ALU_AND_K, jt: 0, jf: 0, k: k >>> 0 });
  }
  jump(code: number, k: number, jt: Target, jf: Target): void {
    this.insns.push({ code, jt, jf, k: k >>> 0 });
  }
  ret(k: number): void {
    this.insns.push({ code: RET_K, jt: 0, jf: 0, k: k >>> 0 });
  }
  /** struct sock_filter[] { u16 code; u8 jt; u8 jf; u32 k }, in the host's (little-endian) order. */
  encode(): Buffer {
    if (this.insns.length > BPF_MAXINSNS) throw new Error(`seccomp program too long: ${this.insns.length} instructions`);
    const buf = Buffer.alloc(this.insns.length * 8);
    this.insns.forEach((insn, i) => {
      buf.writeUInt16LE(insn.code, i * 8);
      buf.writeUInt8(this.offset(insn.jt, i), i * 8 + 2);
      buf.writeUInt8(this.offset(insn.jf, i), i * 8 + 3);
      buf.writeUInt32LE(insn.k, i * 8 + 4);
    });
    return buf;
  }
  private offset(t: Target, at: number): number {
    const skip = typeof t === 'number' ? t : this.labels.get(t)! - at - 1;
    if (!(skip >= 0 && skip <= 255)) throw new Error(`seccomp jump out of range (${skip})`);
    return skip;
  }
}

const high = (v: number): number => Math.floor(v / 2 ** 32) >>> 0;
const low = (v: number): number => v >>> 0;

/** Emits one comparison; falls through when it holds, jumps to `fail` when not. */
function emitCheck(p: Program, c: ArgCheck, fail: string): void {
  const halves: [number, number, number][] = c.bits === 32 ? [[argLow(c.index), low(c.value), low(c.mask ?? 0xffffffff)]]
    : [[argHigh(c.index), high(c.value), high(c.mask ?? 2 ** 64 - 1)], [argLow(c.index), low(c.value), low(c.mask ?? 0xffffffff)]];
  if (c.op === 'ne') {
    // Holds when either half differs.
    const pass = p.label();
    halves.forEach(([off, v], i) => {
      p.ld(off);
      p.jump(JEQ_K, v, i === halves.length - 1 ? fail : 0, pass);
    });
    p.mark(pass);
    return;
  }
  for (const [off, v, mask] of halves) {
    p.ld(off);
    if (c.op === 'maskedEq') p.and(mask);
    p.jump(JEQ_K, v, 0, fail);
  }
}

interface Alternative { args: ArgCheck[]; action: number }

/** What the profile says for each syscall number on this arch with these capabilities. */
function decide(profile: SeccompProfile, arch: SeccompArch, caps: readonly string[]): { allowed: Set<number>; conditional: Map<number, Alternative[]> } {
  const table = (syscallData as unknown as Record<SeccompArch, Record<string, number>>)[arch];
  const allowed = new Set<number>();
  for (const name of profile.allow) if (table[name] !== undefined) allowed.add(table[name]);
  const conditional = new Map<number, Alternative[]>();
  for (const rule of profile.rules) {
    if (rule.arches && !rule.arches.includes(arch)) continue;
    if (rule.ifCaps && !rule.ifCaps.every((c) => caps.includes(c))) continue;
    if (rule.unlessCaps?.some((c) => caps.includes(c))) continue;
    const action = rule.errno !== undefined ? RET_ERRNO | rule.errno : RET_ALLOW;
    for (const name of rule.names) {
      const nr = table[name];
      if (nr === undefined) continue;
      if (!rule.args?.length && action === RET_ALLOW) allowed.add(nr);
      else conditional.set(nr, [...(conditional.get(nr) ?? []), { args: rule.args ?? [], action }]);
    }
  }
  for (const nr of allowed) conditional.delete(nr);
  return { allowed, conditional };
}

/** Sorted numbers as inclusive ranges. */
function ranges(numbers: Set<number>): [number, number][] {
  const out: [number, number][] = [];
  for (const n of [...numbers].sort((a, b) => a - b)) {
    const last = out.at(-1);
    if (last && last[1] === n - 1) last[1] = n;
    else out.push([n, n]);
  }
  return out;
}

/**
 * The BPF program for one arch and the capabilities the sandbox keeps (a rule may depend on
 * them, as in docker). Syscalls of another ABI on the same kernel (i386, arm32, x32) are not in
 * the tables: another arch kills the process, x32 numbers fail with EPERM.
 */
export function compileSeccomp(profile: SeccompProfile, arch: SeccompArch, caps: readonly string[]): Buffer {
  const deny = RET_ERRNO | profile.defaultErrno;
  const { allowed, conditional } = decide(profile, arch, caps);
  const p = new Program();
  p.ld(OFF_ARCH);
  p.jump(JEQ_K, AUDIT_ARCH[arch], 1, 0);
  p.ret(RET_KILL_PROCESS);
  p.ld(OFF_NR);
  if (arch === 'x86_64') {
    p.jump(JGE_K, X32_SYSCALL_BIT, 0, 1);
    p.ret(deny);
  }
  for (const [nr, alternatives] of [...conditional].sort((a, b) => a[0] - b[0])) {
    const next = p.label();
    p.jump(JEQ_K, nr, 0, next);
    for (const alt of alternatives) {
      const fail = p.label();
      for (const c of alt.args) emitCheck(p, c, fail);
      p.ret(alt.action);
      p.mark(fail);
    }
    p.ret(deny);
    p.mark(next);
  }
  for (const [a, b] of ranges(allowed)) {
    p.jump(JGT_K, b, 3, 0);
    p.jump(JGE_K, a, 0, 1);
    p.ret(RET_ALLOW);
    p.ret(deny);
  }
  p.ret(deny);
  return p.encode();
}
