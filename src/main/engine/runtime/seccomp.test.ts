import { describe, expect, it } from 'vitest';
import { compileSeccomp, DEFAULT_PROFILE, type SeccompArch } from './seccomp.ts';
import { DEFAULT_CAPS } from './policy.ts';
import syscalls from './seccomp/syscalls.json' with { type: 'json' };

const AUDIT = { x86_64: 0xc000003e, aarch64: 0xc00000b7, i386: 0x40000003 };
const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const ENOSYS = 0x00050026;
const KILL = 0x80000000;

/**
 * What the kernel's classic-BPF interpreter answers for one syscall: only the instructions the
 * compiler emits (ld abs, and, jeq/jgt/jge, ret), with the kernel's rules (unsigned compares,
 * relative jumps). The real kernel runs the same programs in test/security/sandbox.test.ts.
 */
function run(program: Buffer, data: { arch: number; nr: number; args?: bigint[] }): number {
  const mem = Buffer.alloc(64);
  mem.writeUInt32LE(data.nr >>> 0, 0);
  mem.writeUInt32LE(data.arch >>> 0, 4);
  (data.args ?? []).forEach((a, i) => mem.writeBigUInt64LE(a, 16 + 8 * i));
  let acc = 0;
  for (let pc = 0; pc < program.length / 8; pc++) {
    const code = program.readUInt16LE(pc * 8);
    const jt = program.readUInt8(pc * 8 + 2);
    const jf = program.readUInt8(pc * 8 + 3);
    const k = program.readUInt32LE(pc * 8 + 4);
    if (code === 0x20) acc = mem.readUInt32LE(k);
    else if (code === 0x54) acc = (acc & k) >>> 0;
    else if (code === 0x06) return k;
    else if (code === 0x15) pc += acc === k ? jt : jf;
    else if (code === 0x25) pc += acc > k ? jt : jf;
    else if (code === 0x35) pc += acc >= k ? jt : jf;
    else throw new Error(`unexpected opcode ${code}`);
  }
  throw new Error('fell off the end of the program');
}

const table = syscalls as unknown as Record<SeccompArch, Record<string, number>>;

for (const arch of ['x86_64', 'aarch64'] as const) {
  describe(`docker's seccomp profile compiled for ${arch}`, () => {
    const program = compileSeccomp(DEFAULT_PROFILE, arch, DEFAULT_CAPS);
    const call = (name: string, args: bigint[] = []): number => run(program, { arch: AUDIT[arch], nr: table[arch][name]!, args });

    it('allows the everyday syscalls and refuses what docker refuses, with EPERM', () => {
      for (const name of ['read', 'write', 'openat', 'execve', 'mmap', 'futex', 'exit_group', 'chroot', 'wait4']) expect(call(name), name).toBe(ALLOW);
      for (const name of ['keyctl', 'add_key', 'request_key', 'io_uring_setup', 'unshare', 'setns', 'mount', 'bpf', 'perf_event_open', 'init_module', 'kexec_load', 'reboot', 'acct']) {
        expect(call(name), name).toBe(EPERM);
      }
    });

    it('checks arguments: clone without namespace flags, socket but not AF_VSOCK, personality values; clone3 is ENOSYS', () => {
      expect(call('clone', [0x01200011n])).toBe(ALLOW); // fork's SIGCHLD|CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID
      expect(call('clone', [0x10000000n | 17n])).toBe(EPERM); // CLONE_NEWUSER
      expect(call('clone', [0x00020000n])).toBe(EPERM); // CLONE_NEWNS
      expect(call('clone3')).toBe(ENOSYS);
      expect(call('socket', [2n, 1n, 0n])).toBe(ALLOW);
      expect(call('socket', [40n, 1n, 0n])).toBe(EPERM);
      // The kernel reads the domain as an int: high bits must not smuggle AF_VSOCK past the rule.
      expect(call('socket', [0x1_0000_0028n, 1n, 0n])).toBe(EPERM);
      for (const p of [0n, 8n, 0x20000n, 0x20008n, 0xffffffffn]) expect(call('personality', [p])).toBe(ALLOW);
      expect(call('personality', [0x0040000n])).toBe(EPERM); // ADDR_NO_RANDOMIZE
    });

    it('kills a process calling through another ABI', () => {
      expect(run(program, { arch: AUDIT.i386, nr: 20 })).toBe(KILL);
    });
  });
}

describe('x32', () => {
  it('numbers with the x32 bit are refused on x86_64 (the profile has no x32 table)', () => {
    const program = compileSeccomp(DEFAULT_PROFILE, 'x86_64', DEFAULT_CAPS);
    expect(run(program, { arch: AUDIT.x86_64, nr: 0x40000000 + table.x86_64.getpid! })).toBe(EPERM);
    expect(run(program, { arch: AUDIT.x86_64, nr: table.x86_64.getpid! })).toBe(ALLOW);
  });

  it('a capability turns its rules on, as in docker (CAP_SYS_ADMIN: mount, any clone)', () => {
    const program = compileSeccomp(DEFAULT_PROFILE, 'x86_64', [...DEFAULT_CAPS, 'CAP_SYS_ADMIN']);
    const call = (name: string, args: bigint[] = []): number => run(program, { arch: AUDIT.x86_64, nr: table.x86_64[name]!, args });
    expect(call('mount')).toBe(ALLOW);
    expect(call('clone', [0x10000000n])).toBe(ALLOW);
    expect(call('clone3')).toBe(ALLOW);
    expect(call('keyctl')).toBe(EPERM);
  });
});
