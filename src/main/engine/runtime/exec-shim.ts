/**
 * The last step between bwrap and the container's command. bwrap always puts `PWD` (its working
 * directory) into the environment it executes with, and has no option to leave it out; docker's
 * runtime sets no PWD. So bwrap runs this shim instead, which takes PWD out again (or puts back
 * the container's own PWD, from the image's ENV or `-e`) and executes the command in its own
 * place: same pid (PID 1 for `run`), argv, exit code and signals as if bwrap had executed it.
 *
 * The shim cannot come from the image (a scratch image has no `env`, no shell), nor be a host
 * program (those need the host's libraries): it is a static, libc-free ELF of 246 bytes, built
 * here, written to the run's scratch directory and executed through a descriptor the
 * sandbox's shell opens (`/proc/self/fd/4`), so it never appears in the container's filesystem.
 * It closes that descriptor before it executes the command.
 *
 * Its arguments: `SHIM PWD-ENTRY PATH ARGV0 ARGS…`; PWD-ENTRY is `PWD=…` to keep, or empty to drop
 * it; PATH is the command as found on the container's PATH (resolveCommand), executed with argv
 * `ARGV0 ARGS…` like runc does (no shell fallback). If execve fails: status 127 for a missing
 * file, else 126. Only x86_64 has a shim for now; elsewhere bwrap runs the command directly.
 */

/** The file descriptor the sandbox's shell opens the shim as. */
export const SHIM_FD = 4;

/**
 * x86_64 code (GNU as, Intel syntax), assembled into X86_64_CODE below:
 *   _start: mov rbx,[rsp]; lea rsi,[rsp+8]; lea rdx,[rsi+rbx*8+8]   argc, argv, envp
 *           mov rdi,rdx; mov r8,rdx                                  write and read cursors over envp
 *   1:      mov rax,[r8]; test rax,rax; jz 3f; add r8,8
 *           cmp dword ptr [rax],0x3d445750; jne 2f                   "PWD=" ?
 *           mov rax,[rsi+8]; cmp byte ptr [rax],0; je 1b             replaced by argv[1], or dropped
 *   2:      mov [rdi],rax; add rdi,8; jmp 1b
 *   3:      mov qword ptr [rdi],0; mov r12,rsi; mov r13,rdx
 *           mov eax,3; mov edi,4; syscall                            close(SHIM_FD)
 *           mov rdi,[r12+16]; lea rsi,[r12+24]; mov rdx,r13
 *           mov eax,59; syscall                                      execve(argv[2], argv+3, envp)
 *           mov edi,126; cmp rax,-2; jne 4f; mov edi,127             ENOENT → 127, else 126
 *   4:      mov eax,60; syscall                                      exit
 * Reading 4 bytes of an environment string shorter than that stays within the strings on the stack.
 */
const X86_64_CODE =
  '488b1c24488d742408488d54de084889d74989d0498b004885c0741e4983c00881385057443d7509488b460880380074e3' +
  '4889074883c708ebda48c707000000004989f44989d5b803000000bf040000000f05498b7c2410498d7424184c89eab8' +
  '3b0000000f05bf7e0000004883f8fe7505bf7f000000b83c0000000f05';

const BASE = 0x400000;
const EHDR = 64;
const PHDR = 56;

/** A minimal static ELF64 executable: one read+execute segment holding the headers and the code. */
function elf64(machine: number, code: Buffer): Buffer {
  const entry = EHDR + PHDR;
  const file = Buffer.alloc(entry + code.length);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(file, 0); // ELF, 64-bit, little endian, version 1
  file.writeUInt16LE(2, 16); // ET_EXEC
  file.writeUInt16LE(machine, 18);
  file.writeUInt32LE(1, 20);
  file.writeBigUInt64LE(BigInt(BASE + entry), 24);
  file.writeBigUInt64LE(BigInt(EHDR), 32); // program headers
  file.writeUInt16LE(EHDR, 52);
  file.writeUInt16LE(PHDR, 54);
  file.writeUInt16LE(1, 56);
  file.writeUInt16LE(64, 58); // section header entry size (there are none)
  const ph = EHDR;
  file.writeUInt32LE(1, ph); // PT_LOAD
  file.writeUInt32LE(5, ph + 4); // PF_R | PF_X
  file.writeBigUInt64LE(BigInt(BASE), ph + 16);
  file.writeBigUInt64LE(BigInt(BASE), ph + 24);
  file.writeBigUInt64LE(BigInt(file.length), ph + 32);
  file.writeBigUInt64LE(BigInt(file.length), ph + 40);
  file.writeBigUInt64LE(0x1000n, ph + 48);
  code.copy(file, entry);
  return file;
}

/** The shim for this machine (Node's `process.arch`), or undefined where there is none. */
export function execShim(nodeArch: string = process.arch): Buffer | undefined {
  if (nodeArch === 'x64') return elf64(62, Buffer.from(X86_64_CODE, 'hex'));
  return undefined;
}

/** The shim's arguments before the command: the container's own PWD entry (the last one wins), or none. */
export function shimArgs(path: string, env: string[]): string[] {
  const pwd = env.filter((e) => e.startsWith('PWD=')).pop() ?? '';
  return [`/proc/self/fd/${SHIM_FD}`, pwd, path];
}
