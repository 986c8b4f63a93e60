/**
 * Runs the host's own binaries in the host's namespaces from the agent's privileged, hostPID pod:
 * `nsenter --target 1 --mount --uts --ipc --net --pid -- <command>`. Each command runs in its own process
 * group, so that aborting it stops everything it started in the pod.
 */
import { spawn } from 'node:child_process';
import { classifyFailure, stderrTail } from './failures.ts';
import { HostCommandError } from './port.ts';

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs a command on the host. */
export interface HostCommandRunner {
  run(argv: readonly string[], options?: { signal?: AbortSignal }): Promise<CommandResult>;
}

export interface NsenterOptions {
  /** The nsenter executable (default `nsenter`, found on PATH). */
  nsenter?: string;
  /** The process whose namespaces to enter (default 1: the host's init, visible with hostPID). */
  targetPid?: number;
  /** Environment of the commands (default: this process's, with a C locale for stable messages). */
  env?: NodeJS.ProcessEnv;
}

/** The largest stdout kept (rpm-ostree status carries image manifests: tens of KB per deployment). */
const MAX_STDOUT = 16 * 1024 * 1024;
const MAX_STDERR = 64 * 1024;

/** Commands through nsenter into the host's mount, UTS, IPC, network and PID namespaces. */
export class NsenterRunner implements HostCommandRunner {
  private readonly nsenter: string;
  private readonly prefix: string[];
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: NsenterOptions = {}) {
    this.nsenter = options.nsenter ?? 'nsenter';
    this.prefix = [
      '--target',
      String(options.targetPid ?? 1),
      '--mount',
      '--uts',
      '--ipc',
      '--net',
      '--pid',
      '--',
    ];
    this.env = options.env ?? { ...process.env, LC_ALL: 'C' };
  }

  run(argv: readonly string[], options: { signal?: AbortSignal } = {}): Promise<CommandResult> {
    const signal = options.signal;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new HostCommandError(argv, null, 'aborted before it started', 'command'));
        return;
      }
      const child = spawn(this.nsenter, [...this.prefix, ...argv], {
        env: this.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        if (stdout.length < MAX_STDOUT) stdout += chunk;
      });
      child.stderr.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-MAX_STDERR);
      });
      const kill = () => {
        // The whole group: nsenter forks for --pid, and what it runs may fork again.
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGTERM');
          } catch {
            // already gone
          }
        }
      };
      signal?.addEventListener('abort', kill, { once: true });
      child.on('error', (error: NodeJS.ErrnoException) => {
        signal?.removeEventListener('abort', kill);
        const kind = error.code === 'ENOENT' ? 'missing' : 'command';
        reject(
          new HostCommandError([this.nsenter, ...argv], null, `${this.nsenter}: ${error.message}`, kind),
        );
      });
      child.on('close', (code, killedBy) => {
        signal?.removeEventListener('abort', kill);
        if (code === 0) {
          resolve({ stdout, stderr });
          return;
        }
        if (signal?.aborted) {
          reject(new HostCommandError(argv, code, `aborted (${killedBy ?? `exit ${code}`})`, 'command'));
          return;
        }
        reject(new HostCommandError(argv, code, stderrTail(stderr), classifyFailure(stderr, code)));
      });
    });
  }
}
