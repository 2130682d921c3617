/**
 * The file system as the source tree reads it: a port, so that the tree works over the real
 * disk (the CLI's Io) or over a map of files (tests). Synchronous: scanning is CPU-bound, and a
 * run reads a tree once.
 */
export interface FileSystem {
  /** What is at path, following symlinks; null when nothing is (or it cannot be stat'ed). */
  stat(path: string): FileStat | null;
  /** The entries of a directory, symlinks not followed; throws when it cannot be read. */
  readDir(path: string): readonly DirEntry[];
  /**
   * A file's bytes; throws when it cannot be read. With maxBytes, reads no further than one byte
   * past it and then throws an error with code ERR_FS_FILE_TOO_LARGE (as node:fs does past 2 GiB):
   * a FIFO, a device such as /dev/zero or a file still growing costs the limit, never more.
   */
  readFile(path: string, maxBytes?: number): Uint8Array;
  /** The canonical path (symlinks resolved), for noticing a directory seen twice. */
  realPath(path: string): string;
}

export interface FileStat {
  /** Anything but a regular file or a directory (a FIFO, a device, a socket) is "other". */
  readonly kind: 'file' | 'directory' | 'other';
  readonly size: number;
}

export interface DirEntry {
  readonly name: string;
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
}
