/** Everything the CLI reaches outside itself, so tests can run it in-process with a fake. */
export interface OutStream {
  write(text: string): void;
  readonly isTTY?: boolean;
}

export interface Io {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  /** All of standard input. */
  readonly readStdin: () => Promise<Uint8Array>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The real process. */
export function nodeIo(proc: NodeJS.Process = process): Io {
  // `mapbloat … | head` closes the pipe early; that is not an error worth a stack trace.
  proc.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') proc.exit(proc.exitCode ?? 0);
    throw err;
  });
  return {
    stdout: { write: (text) => void proc.stdout.write(text), isTTY: proc.stdout.isTTY === true },
    stderr: { write: (text) => void proc.stderr.write(text), isTTY: proc.stderr.isTTY === true },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of proc.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    env: proc.env,
  };
}

/** NO_COLOR (https://no-color.org): present and not empty turns colours off. */
export function colorAllowed(io: Io): boolean {
  const noColor = io.env.NO_COLOR;
  return io.stdout.isTTY === true && (noColor === undefined || noColor === '');
}
