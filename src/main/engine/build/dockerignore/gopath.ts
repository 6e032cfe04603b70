/** Go's path.Clean and filepath.Dir for slash-separated paths (we only build on Unix paths). */

export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const stack: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (stack.length > 0 && stack[stack.length - 1] !== '..') stack.pop();
      else if (!rooted) stack.push('..');
      continue;
    }
    stack.push(seg);
  }
  const out = (rooted ? '/' : '') + stack.join('/');
  return out === '' ? '.' : out;
}

export function dirPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return cleanPath(path.slice(0, slash + 1));
}
