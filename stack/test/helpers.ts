/** Small helpers the stack's process tests share. */
import { fileURLToPath } from 'node:url';

export const HELEN = fileURLToPath(new URL('../../bin/helen.mjs', import.meta.url));

/** True while a process with this pid exists (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
