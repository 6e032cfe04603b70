import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { storeImage, writeBusyboxRootfs, writeTar, busyboxMissing } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { conformanceDir, conformanceMissing } from '../paths.ts';
import { strata } from '../cli/run.ts';
import { idMapping } from '../../src/main/engine/snapshot/idmap.ts';

const why = (): string | undefined => busyboxMissing() ?? sandboxUnavailable();

/** Splits a docker CLI line from a conformance scenario into argv (single and double quotes). */
function shellWords(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let inWord = false;
  for (const c of line) {
    if (quote) {
      if (c === quote) quote = undefined;
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === ' ') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** Go's fmt %v of what `docker inspect -f` prints for the config fields the scenarios check. */
function goFmt(v: unknown): string {
  if (v === undefined || v === null) return '[]';
  if (Array.isArray(v)) return `[${v.map((x) => goFmt(x)).join(' ')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    return `map[${keys.map((k) => `${k}:${typeof (v as Record<string, unknown>)[k] === 'object' ? '{}' : goFmt((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  }
  return String(v);
}

describe('containers end to end through the CLI', () => {
  let dir: { path: string; cleanup: () => void };
  let root: string;
  beforeAll(async () => {
    dir = tempDir();
    root = join(dir.path, 'store');
    if (why()) return;
    const base = join(dir.path, 'base.tar');
    const top = join(dir.path, 'top.tar');
    await writeBusyboxRootfs(base);
    await writeTar(top, [
      { type: 'dir', name: 'data/' },
      { type: 'file', name: 'data/keep.txt', content: 'keep\n' },
      { type: 'file', name: 'data/old.txt', content: 'old\n' },
      { type: 'dir', name: 'data/gone/' },
      { type: 'file', name: 'data/gone/f', content: 'f\n' },
    ]);
    const engine = Engine.open({ root });
    await storeImage(engine, [base], { tags: ['busybox'] });
    await storeImage(engine, [base, top], { tags: ['withdata'], config: { config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TARGET=default'], Cmd: ['sh'] } } });
    engine.close();
  });
  afterAll(() => dir.cleanup());

  it("runs the seeds' lab: change a container, commit it, run the new image", async ({ skip }) => {
    if (why()) skip(why());
    const run = await strata(root, ['run', '--name', 'ch03', 'busybox', 'sh', '-c', 'echo Elton >> ch03.txt']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect((await strata(root, ['diff', 'ch03'])).stdout).toBe('A /ch03.txt\n');
    const commit = await strata(root, ['commit', 'ch03', 'ch03-lab-soln']);
    expect(commit.code).toBe(0);
    expect(commit.stdout).toMatch(/^sha256:[a-f0-9]{64}\n$/);
    const cat = await strata(root, ['run', '--rm', 'ch03-lab-soln', 'cat', 'ch03.txt']);
    expect(cat).toEqual({ code: 0, stdout: 'Elton\n', stderr: '' });
    // The new image shares every layer of its parent and adds exactly one.
    const engine = Engine.open({ root });
    try {
      const parent = engine.images.layers(engine.images.resolve('busybox'));
      const child = engine.images.layers(engine.images.resolve('ch03-lab-soln'));
      expect(child.slice(0, parent.length).map((l) => l.blobDigest)).toEqual(parent.map((l) => l.blobDigest));
      expect(child).toHaveLength(parent.length + 1);
      expect(engine.images.get(engine.images.resolve('ch03-lab-soln'))!.parentId).toBe(engine.images.resolve('busybox'));
    } finally {
      engine.close();
    }
  });

  it('run -u 65534 then commit: the new layer records the files as 65534, like docker', async ({ skip }) => {
    if (why()) skip(why());
    if (idMapping().mode === 'single') skip('rootless without subordinate IDs, the user namespace maps one ID, so the container writes as its root (docs/containers.md)');
    const run = await strata(root, ['run', '--name', 'nobody', '-u', '65534', 'busybox', 'sh', '-c', 'id -u; touch /tmp/x; mkdir /tmp/d; touch /etc/nope 2>/dev/null || echo denied']);
    expect(run).toMatchObject({ code: 0, stdout: '65534\ndenied\n' });
    expect((await strata(root, ['commit', 'nobody', 'nobody-img'])).code).toBe(0);
    const engine = Engine.open({ root });
    try {
      const top = engine.images.layers(engine.images.resolve('nobody-img')).at(-1)!;
      const files = new Map(engine.images.layerFiles(top.diffId).map((f) => [f.path, f]));
      // 65534 is busybox's nobody: its gid comes from /etc/passwd, as docker does.
      expect(files.get('tmp/x')).toMatchObject({ type: 'file', uid: 65534, gid: 65534 });
      expect(files.get('tmp/d')).toMatchObject({ type: 'dir', uid: 65534, gid: 65534 });
    } finally {
      engine.close();
    }
  });

  it('--env overrides the image default, as the process sees it', async ({ skip }) => {
    if (why()) skip(why());
    expect((await strata(root, ['run', '--rm', 'withdata', 'sh', '-c', 'echo $TARGET'])).stdout).toBe('default\n');
    expect((await strata(root, ['run', '--rm', '-e', 'TARGET=x', 'withdata', 'sh', '-c', 'echo $TARGET'])).stdout).toBe('x\n');
    const envFile = join(dir.path, 'env.list');
    writeFileSync(envFile, '# comment\nTARGET=fromfile\nOTHER=1\n');
    const env = await strata(root, ['run', '--rm', '--env-file', envFile, '-e', 'EXTRA=2', 'withdata', 'env']);
    // docker: the user's variables first, then the image's it did not override; PATH, HOSTNAME, HOME by the runtime.
    const lines = env.stdout.trim().split('\n');
    expect(lines.map((l) => l.split('=')[0])).toEqual(['PATH', 'HOSTNAME', 'TARGET', 'OTHER', 'EXTRA', 'HOME']);
    expect(lines).toContain('TARGET=fromfile');
  });

  it('diff reports added, changed and deleted files and directories exactly', async ({ skip }) => {
    if (why()) skip(why());
    const script = [
      'echo more >> /data/keep.txt', 'rm /data/old.txt', 'rm -rf /data/gone', 'mkdir -p /new/dir', 'echo n > /new/dir/file',
      'touch /tmp/t', 'rm /etc/group', 'mkdir /data/gone', 'echo again > /data/gone/g',
    ].join(' && ');
    expect((await strata(root, ['run', '--name', 'differ', 'withdata', 'sh', '-c', script])).code).toBe(0);
    const diff = await strata(root, ['diff', 'differ']);
    expect(diff.stdout).toBe([
      'C /data', 'C /data/gone', 'D /data/gone/f', 'A /data/gone/g', 'C /data/keep.txt', 'D /data/old.txt',
      'C /etc', 'D /etc/group',
      'A /new', 'A /new/dir', 'A /new/dir/file',
      'C /tmp', 'A /tmp/t', '',
    ].join('\n'));
    // The committed layer carries the same change set as OCI whiteouts.
    expect((await strata(root, ['commit', 'differ', 'differ-img'])).code).toBe(0);
    const ls = await strata(root, ['run', '--rm', 'differ-img', 'sh', '-c', 'ls /data /data/gone; test -e /etc/group || echo no-group; cat /data/keep.txt']);
    expect(ls.stdout).toBe('/data:\ngone\nkeep.txt\n\n/data/gone:\ng\nno-group\nkeep\nmore\n');
    // Nothing changed in a fresh container of the committed image.
    expect((await strata(root, ['run', '--name', 'clean', 'differ-img', 'true'])).code).toBe(0);
    expect((await strata(root, ['diff', 'clean'])).stdout).toBe('');
  });

  it('commit -c CMD and -m: the new image runs the new command and records the message', async ({ skip }) => {
    if (why()) skip(why());
    await strata(root, ['run', '--name', 'cmdc', 'busybox', 'sh', '-c', 'echo hello > /greeting']);
    const c = await strata(root, ['commit', '-m', 'add greeting', '-a', 'Ann <ann@example.com>', '-c', 'CMD ["cat", "/greeting"]', 'cmdc', 'greeter:v1']);
    expect(c.code).toBe(0);
    expect(await strata(root, ['run', '--rm', 'greeter:v1'])).toEqual({ code: 0, stdout: 'hello\n', stderr: '' });
    const engine = Engine.open({ root });
    try {
      const config = engine.images.readConfig(engine.images.resolve('greeter:v1'));
      expect(config.config?.Cmd).toEqual(['cat', '/greeting']);
      expect(config.history!.at(-1)).toMatchObject({ created_by: "sh -c echo hello > /greeting", comment: 'add greeting', author: 'Ann <ann@example.com>' });
      expect(config.author).toBe('Ann <ann@example.com>');
    } finally {
      engine.close();
    }
    // Shell form runs through /bin/sh -c.
    await strata(root, ['commit', '-c', 'CMD echo shell form', 'cmdc', 'greeter:v2']);
    expect((await strata(root, ['run', '--rm', 'greeter:v2'])).stdout).toBe('shell form\n');
  });

  it('passes the moby commit scenarios (commit-change, commit-change-labels, history-commit-comment)', async ({ skip }) => {
    if (why()) skip(why());
    const dirOf = join(conformanceDir, 'moby-scenarios');
    if (conformanceMissing('moby-scenarios')) skip(conformanceMissing('moby-scenarios'));
    for (const file of ['commit-change.json', 'commit-change-labels.json', 'history-commit-comment.json']) {
      const scenario = JSON.parse(readFileSync(join(dirOf, file), 'utf8')) as { steps: string[]; expect_inspect_go_fmt?: Record<string, string>; expect?: string };
      const names: string[] = [];
      for (const step of scenario.steps) {
        // "X" is the scenario's placeholder name; an upper-case repository is not a valid reference.
        const argv = shellWords(step).slice(1).map((w) => (w === 'X' ? 'histx' : w)); // drop "docker"
        if (argv[0] === 'history') continue; // history formatting is checked on the config below
        const res = await strata(root, argv);
        expect(res.stderr).toBe('');
        expect(res.code).toBe(0);
        if (argv[0] === 'run') names.push(argv[argv.indexOf('--name') + 1]!);
      }
      const engine = Engine.open({ root });
      try {
        const lastCommit = shellWords(scenario.steps.find((s) => s.startsWith('docker commit'))!);
        const target = lastCommit.at(-1)! === 'X' ? 'histx' : lastCommit.at(-1)!;
        const config = engine.images.readConfig(engine.images.resolve(target));
        for (const [field, want] of Object.entries(scenario.expect_inspect_go_fmt ?? {})) {
          if (field.startsWith('container ')) {
            const c = engine.containers.get(names[0]!);
            expect(goFmt(c.config.Labels), `${file} ${field}`).toBe(want);
            continue;
          }
          const key = field.replace(/^image /, '').replace(/^Config\./, '') as keyof NonNullable<typeof config.config>;
          expect(goFmt(config.config?.[key]), `${file} ${field}`).toBe(want);
        }
        if (file === 'history-commit-comment.json') {
          const history = await strata(root, ['history', target]);
          if (history.code === 0) expect(history.stdout.split('\n')[1]).toContain('This_is_a_comment');
          const h = config.history!.at(-1)!;
          expect(h.comment).toBe('This_is_a_comment');
          expect(h.created_by).toBe('true');
        }
        for (const n of names) await engine.containers.remove(n, { force: true });
      } finally {
        engine.close();
      }
    }
  });

  it('gives clear errors: unknown image, name clash, missing command, removing a running container, rmi of a used image', async ({ skip }) => {
    if (why()) skip(why());
    expect(await strata(root, ['run', '--pull', 'never', 'nope:1'])).toMatchObject({ code: 125, stderr: "strata: Error response from daemon: No such image: nope:1.\nSee 'strata run --help'.\n" });
    await strata(root, ['create', '--name', 'taken', 'busybox']);
    const clash = await strata(root, ['create', '--name', 'taken', 'busybox']);
    // docker's create reports it as any command does (status 1); only run adds `docker:` and 125.
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/^Error response from daemon: Conflict\. The container name "\/taken" is already in use by container "[a-f0-9]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\.\n$/);
    const missing = await strata(root, ['run', 'busybox', 'no-such-tool']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('exec: "no-such-tool": executable file not found in $PATH');
    const notExec = await strata(root, ['run', 'busybox', '/etc/passwd']);
    expect(notExec.code).toBe(126);
    const rmi = await strata(root, ['rmi', 'busybox']);
    expect(rmi.code).toBe(1);
    expect(rmi.stderr).toMatch(/must force|is being used/);

    const started = await strata(root, ['run', '-d', '--name', 'runner', 'busybox', 'sleep', '60']);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^[a-f0-9]{64}\n$/);
    const ps = await strata(root, ['ps']);
    expect(ps.stdout.split('\n')[0]).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    expect(ps.stdout).toMatch(/busybox\s+"sleep 60"\s+.* ago\s+Up .*runner/);
    const exec = await strata(root, ['exec', '-e', 'WHO=exec', 'runner', 'sh', '-c', 'echo "$WHO in $(hostname)"; tr "\\0" " " < /proc/1/cmdline']);
    // Same pid namespace: pid 1 is the container's command.
    expect(exec).toEqual({ code: 0, stdout: `exec in ${started.stdout.slice(0, 12)}\nsleep 60 `, stderr: '' });
    const execMissing = await strata(root, ['exec', 'runner', 'no-such-tool']);
    expect(execMissing.code).toBe(127);
    expect(execMissing.stderr).toContain('exec: "no-such-tool": executable file not found in $PATH');
    const df = await strata(root, ['system', 'df']);
    expect(df.stdout).toMatch(/^Containers\s+\d+\s+1\s+/m);
    const rm = await strata(root, ['rm', 'runner']);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toBe('Error response from daemon: cannot remove container "/runner": container is running: stop the container before removing or force remove\n');
    expect(await strata(root, ['rm', '-f', 'runner'])).toEqual({ code: 0, stdout: 'runner\n', stderr: '' });
    expect((await strata(root, ['ps', '-a', '-q', '--no-trunc'])).stdout).not.toContain(started.stdout.trim());
  });

  it('stop sends SIGTERM, logs keep the output, state survives reopening the store', async ({ skip }) => {
    if (why()) skip(why());
    const started = await strata(root, ['run', '-d', '--name', 'svc', 'busybox', 'sh', '-c', 'echo up; trap "echo bye; exit 3" TERM; while :; do sleep 0.1; done']);
    expect(started.code).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(await strata(root, ['stop', 'svc'])).toEqual({ code: 0, stdout: 'svc\n', stderr: '' });
    expect(await strata(root, ['logs', 'svc'])).toEqual({ code: 0, stdout: 'up\nbye\n', stderr: '' });
    const engine = Engine.open({ root });
    try {
      const c = engine.containers.get('svc');
      expect(c.state).toBe('exited');
      expect(c.exitCode).toBe(3);
    } finally {
      engine.close();
    }
    expect((await strata(root, ['ps', '-a', '--format', '{{.Names}} {{.Status}}'])).stdout).toMatch(/^svc Exited \(3\) /m);
    expect((await strata(root, ['logs', '--tail', '1', 'svc'])).stdout).toBe('bye\n');
    expect((await strata(root, ['ps', '-f', 'status=exited', '-f', 'name=sv', '--format', '{{.Names}}'])).stdout).toBe('svc\n');
    expect((await strata(root, ['ps', '-l', '--format', '{{.Names}}'])).stdout).toBe('svc\n');
    expect((await strata(root, ['ps', '-a', '-f', 'ancestor=busybox', '-f', 'status=running', '-q'])).stdout).toBe('');
    expect((await strata(root, ['wait', 'svc'])).stdout).toBe('3\n');
    const inspect = await strata(root, ['container', 'inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.Name}} {{json .Config.Cmd}}', 'svc']);
    expect(inspect.stdout).toBe('exited 3 /svc ["sh","-c","echo up; trap \\"echo bye; exit 3\\" TERM; while :; do sleep 0.1; done"]\n');
    const json = JSON.parse((await strata(root, ['container', 'inspect', 'svc'])).stdout) as { Id: string; Config: { Image: string } }[];
    expect(json[0]!.Config.Image).toBe('busybox');
  });

  it('restart stops a running container and starts it again', async ({ skip }) => {
    if (why()) skip(why());
    expect((await strata(root, ['run', '-d', '--name', 'again-and-again', 'busybox', 'sh', '-c', 'echo started; while :; do sleep 0.1; done'])).code).toBe(0);
    expect(await strata(root, ['restart', '-t', '1', 'again-and-again', 'nosuch-restart'])).toMatchObject({ code: 1, stdout: 'again-and-again\n' });
    // both runs wrote their line (the second may take a moment to start)
    for (let i = 0; i < 200 && (await strata(root, ['logs', 'again-and-again'])).stdout !== 'started\nstarted\n'; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await strata(root, ['logs', 'again-and-again'])).stdout).toBe('started\nstarted\n');
    expect((await strata(root, ['ps', '--filter', 'name=again-and-again', '--format', '{{.State}}'])).stdout).toBe('running\n');
    expect((await strata(root, ['stop', '-t', '0', 'again-and-again'])).code).toBe(0);
  });

  it('a container whose runner died reads as exited; start brings it back with its files', async ({ skip }) => {
    if (why()) skip(why());
    expect((await strata(root, ['run', '--name', 'again', 'busybox', 'sh', '-c', 'echo 1 >> /count'])).code).toBe(0);
    const engine = Engine.open({ root });
    try {
      // Pretend the runner crashed while running: a pid that is not alive.
      engine.db.prepare("UPDATE containers SET state = 'running', monitor_pid = 999999, monitor_start = 'x' WHERE name = 'again'").run();
      expect(engine.containers.get('again').state).toBe('exited');
    } finally {
      engine.close();
    }
    expect((await strata(root, ['start', '-a', 'again'])).code).toBe(0);
    expect((await strata(root, ['run', '--rm', 'busybox', 'true'])).code).toBe(0);
    const engine2 = Engine.open({ root });
    try {
      expect(engine2.containers.get('again').state).toBe('exited');
      const view = await engine2.containers.rootfs('again');
      expect(view.readText('/count')).toBe('1\n1\n');
    } finally {
      engine2.close();
    }
  });

  it('file access works on a stopped container: list, read, write, delete', async ({ skip }) => {
    if (why()) skip(why());
    await strata(root, ['create', '--name', 'files', 'withdata', 'sh', '-c', 'cat /data/new.txt; test -e /data/old.txt || echo old-gone']);
    const engine = Engine.open({ root });
    try {
      const view = await engine.containers.rootfs('files');
      expect(view.list('/data').map((e) => `${e.type} ${e.name}`)).toEqual(['dir gone', 'file keep.txt', 'file old.txt']);
      expect(view.readText('/data/keep.txt')).toBe('keep\n');
      view.write('/data/new.txt', 'written from outside\n');
      view.remove('/data/old.txt');
      expect(view.list('/data').map((e) => e.name)).toEqual(['gone', 'keep.txt', 'new.txt']);
      expect((await engine.containers.changes('files')).map((c) => `${c.kind} ${c.path}`)).toEqual(['C /data', 'A /data/new.txt', 'D /data/old.txt']);
    } finally {
      engine.close();
    }
    expect(await strata(root, ['start', '-a', 'files'])).toEqual({ code: 0, stdout: 'written from outside\nold-gone\n', stderr: '' });
  });

  it('cp copies files and directories into and out of a container', async ({ skip }) => {
    if (why()) skip(why());
    const { mkdirSync, symlinkSync, readFileSync: read, readlinkSync } = await import('node:fs');
    const src = join(dir.path, 'cp-src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'hello.txt'), 'hello\n');
    writeFileSync(join(src, 'sub', 's'), 's\n');
    symlinkSync('hello.txt', join(src, 'link'));
    await strata(root, ['create', '--name', 'cpbox', 'busybox', 'sh', '-c', 'cat /in/link /in/sub/s']);
    const cpIn = await strata(root, ['cp', src, 'cpbox:/in']);
    expect(cpIn).toEqual({ code: 0, stdout: '', stderr: 'Successfully copied 8B to cpbox:/in\n' });
    expect((await strata(root, ['diff', 'cpbox'])).stdout).toBe('A /in\nA /in/hello.txt\nA /in/link\nA /in/sub\nA /in/sub/s\n');
    expect((await strata(root, ['start', '-a', 'cpbox'])).stdout).toBe('hello\ns\n');
    const out = join(dir.path, 'cp-out');
    mkdirSync(out);
    expect((await strata(root, ['cp', 'cpbox:/in', out])).code).toBe(0);
    expect(read(join(out, 'in', 'sub', 's'), 'utf8')).toBe('s\n');
    expect(readlinkSync(join(out, 'in', 'link'))).toBe('hello.txt');
    expect((await strata(root, ['cp', 'cpbox:/etc/passwd', join(out, 'pw')])).code).toBe(0);
    expect(read(join(out, 'pw'), 'utf8')).toMatch(/^root:x:0:0/);
    expect((await strata(root, ['cp', 'cpbox:/nope', out])).stderr).toBe('Error: Could not find the file /nope in container\n');
  });

  it('export writes the flattened filesystem', async ({ skip }) => {
    if (why()) skip(why());
    await strata(root, ['run', '--name', 'exp', 'withdata', 'sh', '-c', 'rm /data/old.txt; echo x > /data/x']);
    const out = join(dir.path, 'exp.tar');
    expect(await strata(root, ['export', 'exp', '-o', out])).toEqual({ code: 0, stdout: '', stderr: '' });
    const tar = await import('tar-stream');
    const { createReadStream } = await import('node:fs');
    const names: string[] = [];
    const extract = tar.extract();
    createReadStream(out).pipe(extract);
    for await (const e of extract) {
      names.push(e.header.name);
      e.resume();
    }
    expect(names).toContain('data/x');
    expect(names).toContain('data/keep.txt');
    expect(names).toContain('bin/busybox');
    expect(names).not.toContain('data/old.txt');
    expect(names.some((n) => n.includes('.wh.'))).toBe(false);
  });

  it('container prune removes every stopped container and nothing running', async ({ skip }) => {
    if (why()) skip(why());
    const running = (await strata(root, ['run', '-d', 'busybox', 'sleep', '60'])).stdout.trim();
    const before = (await strata(root, ['ps', '-aq', '--no-trunc'])).stdout.trim().split('\n');
    const pruned = await strata(root, ['container', 'prune', '-f']);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/^Deleted Containers:\n([a-f0-9]{64}\n)+\nTotal reclaimed space: \d/);
    expect(pruned.stdout).not.toContain(running);
    expect(pruned.stdout.match(/^[a-f0-9]{64}$/gm)).toHaveLength(before.length - 1);
    expect((await strata(root, ['container', 'ls', '-aq', '--no-trunc'])).stdout).toBe(`${running}\n`);
    expect((await strata(root, ['container', 'rm', '-f', running])).code).toBe(0);
  });
});
