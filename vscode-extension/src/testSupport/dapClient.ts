/**
 * A DebugClient (from @vscode/debugadapter-testsupport) wired to a godap server
 * process that we spawn ourselves, so that the test sees its stderr and its exit.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

export interface ServerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** DebugClient.send() turns error responses into bare Errors; tests need the whole response. */
type RawSend = (command: string, args: unknown, callback: (response: DebugProtocol.Response) => void) => void;

export class GodapTestClient extends DebugClient {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private stderrTail = '';
  readonly events: DebugProtocol.Event[] = [];
  /** Settles when the server process ends; never settles before launchServer(). */
  exited: Promise<ServerExit> = new Promise(() => undefined);

  constructor(
    private readonly python: string,
    private readonly cwd: string,
    private readonly verbose: boolean,
  ) {
    super(python, '-mdap_server', 'godap');
  }

  /** Spawns `python -m dap_server` (stdio) and connects the protocol client to it. */
  launchServer(): void {
    const proc = spawn(this.python, ['-m', 'dap_server'], {
      cwd: this.cwd,
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
      stdio: 'pipe',
    });
    this.proc = proc;
    proc.stdin.on('error', () => undefined); // EPIPE once the server is gone; reported through exited
    this.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => { resolve({ code, signal }); });
      proc.on('error', (error) => {
        this.stderrTail += `\n[spawn error] ${error.message}`;
        resolve({ code: null, signal: null });
      });
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (this.verbose) {
        process.stderr.write(text);
      }
      this.stderrTail = (this.stderrTail + text).slice(-4000);
    });
    // Record every event in arrival order, whatever the listeners are.
    const emit = this.emit.bind(this);
    this.emit = (name: string | symbol, ...args: unknown[]): boolean => {
      const event = args[0] as DebugProtocol.Event | undefined;
      if (event?.type === 'event') {
        this.events.push(event);
      }
      return emit(name, ...args);
    };
    this.connect(proc.stdout, proc.stdin);
  }

  /** Sends a request and resolves with the response, success or not. */
  raw(command: string, args: unknown, timeoutMs: number = this.defaultTimeout): Promise<DebugProtocol.Response> {
    const send = (this as unknown as { doSend: RawSend }).doSend.bind(this);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no response to '${command}' after ${timeoutMs} ms${this.stderrHint()}`));
      }, timeoutMs);
      void this.exited.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${JSON.stringify(exit)}) before answering '${command}'${this.stderrHint()}`));
      });
      send(command, args, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
    });
  }

  /** Like raw(), but fails with the server's message when the response is an error. */
  async ok<T extends DebugProtocol.Response>(command: string, args?: unknown, timeoutMs?: number): Promise<T> {
    const response = await this.raw(command, args, timeoutMs);
    if (!response.success) {
      throw new Error(`'${command}' failed: ${response.message ?? ''} ${JSON.stringify(response.body ?? {})}${this.stderrHint()}`);
    }
    return response as T;
  }

  /**
   * The first event of that name since the server started, whether it already came
   * (a server may send `initialized` right after the initialize response) or comes later.
   */
  firstEvent(name: string, timeoutMs: number = this.defaultTimeout): Promise<DebugProtocol.Event> {
    const seen = this.events.find((e) => e.event === name);
    if (seen !== undefined) {
      return Promise.resolve(seen);
    }
    const exited = this.exited.then((exit) => {
      throw new Error(`the server exited (${JSON.stringify(exit)}) before sending '${name}'`);
    });
    return Promise.race([this.waitForEvent(name, timeoutMs), exited]).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}${this.stderrHint()}`);
    });
  }

  eventsNamed(name: string): DebugProtocol.Event[] {
    return this.events.filter((e) => e.event === name);
  }

  closeStdin(): void {
    this.proc?.stdin.end();
  }

  kill(): void {
    if (this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGKILL');
    }
  }

  stderrHint(): string {
    const tail = this.stderrTail.trim();
    return tail === '' ? '' : `\n--- server stderr (tail) ---\n${tail}`;
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`${what}: no answer after ${ms} ms`)); }, ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error: unknown) => { clearTimeout(timer); reject(error instanceof Error ? error : new Error(String(error))); },
    );
  });
}
